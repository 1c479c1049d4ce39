"""The charts in a real browser, at desktop and phone width, with screenshots
under test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import screenshot
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.analytics.demo import analytics_demo_seed
from tiktok_integration.models import TikTokAccount, TikTokVideo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server) -> None:
    get_user_model().objects.create_superuser(
        "analyst", "analyst@example.com", "a-long-password-1"
    )
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")


def chart_widths(page) -> list[float]:
    page.wait_for_selector(".postdeck-chart .uplot canvas")
    return page.eval_on_selector_all(
        ".postdeck-chart .uplot",
        "nodes => nodes.map(n => n.getBoundingClientRect().width)",
    )


def test_account_and_post_charts_draw_at_desktop_and_phone_width(live_server, page):
    # given the demo's account and posts
    workspace = WorkspaceFactory(time_zone="UTC")
    analytics_demo_seed(workspace_id=workspace.pk, user_id=None, now=timezone.now())
    account = TikTokAccount.objects.get()
    post_id = TikTokVideo.objects.order_by("-latest_view_count")[0].publish_job.post_id
    log_in(page, live_server)
    screenshot(page, "analytics-dashboard-1280")
    account_url = (
        f"{live_server.url}/admin/tiktok_integration/tiktokvideo/account/{account.pk}/"
    )
    post_url = f"{live_server.url}/admin/tiktok_integration/tiktokvideo/post/{post_id}/"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # when
        page.goto(account_url)
        # then the follower chart is drawn and fits the screen
        (follower_width,) = chart_widths(page)
        assert 250 < follower_width <= width
        assert page.locator("#video-table tbody tr").count() == 7
        screenshot(page, f"analytics-account-{width}")
        page.goto(post_url)
        widths = chart_widths(page)
        assert len(widths) == 2 and all(250 < drawn <= width for drawn in widths)
        screenshot(page, f"analytics-post-{width}")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#heatmap")
    screenshot(page, "analytics-dashboard-390")
