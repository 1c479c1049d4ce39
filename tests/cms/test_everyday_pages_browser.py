"""The everyday pages in a real browser at desk (1280 px) and phone (390 px)
width, with screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import screenshot
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desk": 1280, "phone": 390}


def _log_in(page, live_server):  # type: ignore[no-untyped-def]
    get_user_model().objects.create_superuser(
        "manager", "manager@example.com", "a-long-password-1"
    )
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    """Nothing makes the page itself scroll sideways."""
    return bool(
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    )


WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' +
  Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture
def day(db):  # type: ignore[no-untyped-def]
    account = TikTokAccountFactory(
        workspace=WorkspaceFactory(name="Bakery", time_zone="UTC"),
        username="bakery",
    )
    PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace, title="Croissant reel"),
        scheduled_at=timezone.now(),
        status="published",
    )
    PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace, title="Sourdough story"),
        status="failed",
        failure_message="TikTok said the video is too short.",
    )
    TikTokAccountFactory(
        workspace=account.workspace,
        username="lapsed",
        status="reauth_required",
        status_reason="TikTok ended the connection; reconnect to go on posting.",
    )
    return account


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_at_desk_and_phone_width(live_server, page, day, width):
    # given
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    _log_in(page, live_server)
    page.wait_for_selector("#panel-today")
    # then
    assert "Croissant reel" in page.locator("#panel-today").inner_text()
    assert page.locator("#panel-attention button", has_text="Retry safely").count()
    assert page.locator("#nav-system").is_visible()
    screenshot(page, f"dashboard-{width}")
    assert _fits(page), page.evaluate(WIDEST)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_account_page_is_a_card(live_server, page, day, width):
    # given
    day.creator_info = {
        "nickname": "Bakery on the corner", "username": "bakery", "avatar_url": "",
        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"],
        "comment_disabled": False, "duet_disabled": True, "stitch_disabled": False,
        "max_video_post_duration_sec": 600, "can_post": True,
    }  # fmt: skip
    day.granted_scopes = ["user.info.basic", "video.publish"]
    day.save()
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    _log_in(page, live_server)
    # when
    page.goto(
        f"{live_server.url}/admin/tiktok_integration/tiktokaccount/{day.pk}/change/"
    )
    # then
    card = page.locator("#account-card").inner_text()
    assert "Connected" in card and "Everyone, Only me" in card
    assert "PUBLIC_TO_EVERYONE" not in card
    assert not page.locator("#account-details .submit-row").is_visible()
    screenshot(page, f"account-{width}")
    assert _fits(page), page.evaluate(WIDEST)
