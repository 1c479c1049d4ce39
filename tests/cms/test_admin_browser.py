from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import screenshot
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_sees_the_dashboard(live_server, page):
    # given
    get_user_model().objects.create_superuser(
        "editor", "editor@example.com", "a-long-password-1"
    )
    PublishJobFactory(post=PostFactory(title="Spring launch teaser"))
    # when
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")
    # then
    assert (
        page.locator("#panel-upcoming").inner_text().count("Spring launch teaser") == 1
    )
    assert page.locator("#sandbox-banner").is_visible()
    screenshot(page, "admin-dashboard")
