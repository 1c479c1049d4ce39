"""The review emails' setting page in a real browser, at desktop and phone
width, reached from the link every email carries. Screenshots go to
test-artifacts/review-email-setting-*.png."""

from __future__ import annotations

import pytest

from cms.review.email import email_choice_of, email_setting_url
from cms.review.models import NotificationSetting
from tests.factories.workspaces import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_switches_to_the_daily_digest_from_the_emails_link(
    browser, live_server, settings, width
):
    from tests.conftest import screenshot

    settings.BASE_URL = live_server.url
    user = MembershipFactory(user__email=f"abby{width}@example.com").user
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto(email_setting_url(user.pk))
        assert tab.is_checked("input[value=each]")
        tab.check("input[value=daily]")
        tab.click("#email-setting-save")
        tab.wait_for_selector("#email-setting-saved")
        screenshot(tab, f"review-email-setting-{width}")
        assert tab.is_checked("input[value=daily]")
        assert email_choice_of(user.pk) == NotificationSetting.Email.DAILY
        # nothing overflows the phone's width
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
