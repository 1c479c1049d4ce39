"""Times on the analytics and notification pages are the workspace's wall
clock (named), not UTC, at desk and phone width. Screenshots go to
test-artifacts/zone-*.png."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cms.review.models import Notification
from tests.conftest import browser_session, screenshot
from tests.factories.cms import PostFactory
from tests.factories.tiktok import TikTokAccountFactory, TikTokVideoFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEN_UTC = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _tokyo_manager(width: int):  # type: ignore[no-untyped-def]
    tokyo = WorkspaceFactory(name="Tokyo bakery", time_zone="Asia/Tokyo")
    user = MembershipFactory(
        workspace=tokyo,
        role=WorkspaceMembership.Role.MANAGER,
        user__username=f"kenji{width}",
    ).user
    return tokyo, user


@pytest.mark.parametrize("width", [1280, 390])
def test_the_analytics_table_shows_the_workspaces_clock(browser, live_server, width):
    # given a video posted at 10:00 UTC by a Tokyo account (no live token,
    # so the page asks TikTok for nothing)
    tokyo, user = _tokyo_manager(width)
    account = TikTokAccountFactory(
        workspace=tokyo, username="tokyo.bakery", status="reauth_required"
    )
    TikTokVideoFactory(account=account, created_on_tiktok_at=TEN_UTC)
    context, tab = browser_session(browser, live_server, width, user.username)
    # when
    tab.goto(
        f"{live_server.url}/admin/tiktok_integration/tiktokvideo/account/{account.pk}/"
    )
    # then it reads 19:00 in Tokyo
    table = tab.locator("#video-table").inner_text()
    screenshot(tab, f"zone-analytics-{width}")
    context.close()
    assert "30 Nov 2026, 19:00 JST" in table
    assert "UTC" not in table


@pytest.mark.parametrize("width", [1280, 390])
def test_notifications_show_the_workspaces_clock(browser, live_server, width):
    # given a note about a Tokyo post and one about no post, both at 10:00 UTC
    tokyo, user = _tokyo_manager(width)
    post = PostFactory(workspace=tokyo, title="Matcha roll")
    for about in (post, None):
        note = Notification.objects.create(
            user=user, post=about, kind="mention", message=f"About {about or 'you'}"
        )
        Notification.objects.filter(pk=note.pk).update(created_at=TEN_UTC)
    context, tab = browser_session(browser, live_server, width, user.username)
    # when
    tab.goto(f"{live_server.url}/admin/cms/post/review/")
    # then
    notes = tab.locator("#review-notifications").inner_text()
    screenshot(tab, f"zone-notifications-{width}")
    context.close()
    assert notes.count("30 Nov 2026, 19:00 JST") == 2, notes
    assert "UTC" not in notes
