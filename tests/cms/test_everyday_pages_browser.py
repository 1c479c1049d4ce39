"""The everyday pages in a real browser at desk (1280 px) and phone (390 px)
width, with screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

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


def _published_later(page, job, selector: str) -> None:  # type: ignore[no-untyped-def]
    """The job is published in the background; ``selector`` shows it without
    a reload and with at most one request per few seconds."""
    page.evaluate("window.postdeckMarker = 'same page'")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    job.status = "published"
    job.public_url = "https://www.tiktok.com/@bakery/video/7300000000000000009"
    job.save()
    expect(page.locator(selector)).to_contain_text("Published", timeout=15_000)
    assert page.evaluate("window.postdeckMarker") == "same page"
    page.wait_for_timeout(6_000)
    assert len(requests) <= 4, requests


def _failed_job(day):  # type: ignore[no-untyped-def]
    from tiktok_integration.models import PublishJob

    return PublishJob.objects.get(post__title="Sourdough story")


def test_the_dashboard_shows_a_publish_live(live_server, page, day):
    _log_in(page, live_server)
    page.wait_for_selector("#panel-today")
    _published_later(page, _failed_job(day), "#panel-today")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_posts_list_is_live_and_fits(live_server, page, day, width):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/cms/post/")
    screenshot(page, f"posts-{width}")
    assert page.get_by_text("Needs attention").first.is_visible()
    assert _fits(page), page.evaluate(WIDEST)
    if width == "desk":
        _published_later(page, _failed_job(day), "#post-results")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_post_page_is_live_and_fits(live_server, page, day, width):
    job = _failed_job(day)
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/cms/post/{job.post_id}/change/")
    screenshot(page, f"post-{width}")
    assert "too short" in page.locator("#post-summary").inner_text()
    if width == "desk":
        _published_later(page, job, "#post-summary")
    else:
        assert _fits(page), page.evaluate(WIDEST)


def test_the_job_page_is_live(live_server, page, day):
    job = _failed_job(day)
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/admin/tiktok_integration/publishjob/{job.pk}/change/")
    screenshot(page, "job-desk")
    _published_later(page, job, "#job-summary")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_post_form_and_settings_speak_like_the_rest(live_server, page, width):
    # given
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    _log_in(page, live_server)
    # when
    page.goto(f"{live_server.url}/admin/cms/post/add/")
    # then the labels are in sentence case, as Django's own
    assert page.locator("label[for=id_time_zone]").inner_text() == "Time zone:"
    assert page.locator("label[for=id_scheduled_fold]").inner_text() == "Occurrence:"
    screenshot(page, f"post-form-{width}")
    assert page.locator(".breadcrumbs").inner_text().startswith("Home")
    # and Settings' breadcrumbs start where every other page's do
    page.goto(f"{live_server.url}/admin/settings/")
    assert page.locator(".breadcrumbs").inner_text().startswith("Home")
    screenshot(page, f"settings-{width}")
