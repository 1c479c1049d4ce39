"""Found walking through `make run` as a newcomer, checked in a real browser."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import screenshot
from tests.factories.cms import PostFactory
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, live_server: Any, path: str) -> None:
    get_user_model().objects.create_superuser(
        "manager", "manager@example.com", "a-long-password-1"
    )
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{path}")


def test_the_media_library_asks_for_no_missing_page_while_it_stays_open(
    live_server: Any, page: Any
) -> None:
    # given a library with a file being read and one that is ready: their
    # cards say data-live="true" / "false"
    workspace = WorkspaceFactory(name="Bakery")
    MediaAssetFactory(workspace=workspace, original_filename="ready.mp4")
    MediaAssetFactory(
        workspace=workspace,
        original_filename="reading.mp4",
        probe_status="pending",
        is_tiktok_ready=False,
    )
    failed: list[str] = []
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    # when the page stays open past the live refresh's period (5 s)
    _log_in(page, live_server, "/admin/media_library/mediaasset/")
    page.wait_for_timeout(7_000)
    # then nothing asked for ".../mediaasset/false/" or ".../true/"
    screenshot(page, "newcomer-media-library-open")
    assert failed == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_accounts_list_reads_as_words_and_leads_to_the_queues(
    live_server: Any, page: Any, width: int
) -> None:
    # given a connected account and a disconnected one
    workspace = WorkspaceFactory(name="Bakery")
    TikTokAccountFactory(
        workspace=workspace,
        username="bakery",
        display_name="Bakery on the corner",
        refresh_token_expires_at=timezone.now() + timedelta(days=150),
    )
    TikTokAccountFactory(
        workspace=workspace, username="old.bakery", status="disconnected"
    )
    page.set_viewport_size({"width": width, "height": 900})
    # when
    _log_in(page, live_server, "/admin/tiktok_integration/tiktokaccount/")
    # then: names, the state and the connection's end in words, no token columns
    table = page.locator("#result_list").inner_text().replace("\xa0", " ")
    assert "Bakery on the corner" in table and "@bakery" in table
    assert "Connected" in table and "Disconnected" in table
    assert "in 4 months" in table
    assert "Access token" not in table and "Refresh token" not in table
    screenshot(page, f"newcomer-accounts-{width}")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    # and the posting queues are one click away, with a queue offered to set up
    page.click("#posting-queues-link")
    page.wait_for_url("**/postingqueue/")
    page.go_back()
    page.get_by_role("link", name="Set up").click()
    assert page.locator("#id_account").input_value() != ""


def test_the_posts_list_fits_beside_the_filters_at_desk_width(
    live_server: Any, page: Any
) -> None:
    # given posts on two accounts with long names, published with their links
    workspace = WorkspaceFactory(name="Bakery and Patisserie on the Corner")
    for name in ("bakery.on.the.corner.official", "patisserie.on.the.corner"):
        account = TikTokAccountFactory(workspace=workspace, username=name)
        for title in ("Croissant reel of the morning", "Sourdough story"):
            PublishJobFactory(
                account=account,
                post=PostFactory(workspace=workspace, title=title),
                status="published",
                public_url="https://www.tiktok.com/@bakery/video/7300000000000000009",
            )
    page.set_viewport_size({"width": 1280, "height": 900})
    # when
    _log_in(page, live_server, "/admin/cms/post/")
    # then: the filter sidebar is open and the table needs no sideways scroll
    assert page.locator("#changelist-filter").is_visible()
    screenshot(page, "newcomer-posts-1280")
    assert page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth + 1; })()"
    )
