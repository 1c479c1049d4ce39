"""A real Chromium on the media library: three files at once, cards that go
live, and the total that follows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from media_library.models import MediaAsset
from tests.conftest import screenshot
from tests.factories.media import MediaAssetFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.media_library.test_browser import PASSWORD, local_media  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_three_files_upload_at_once_and_the_grid_updates_live(
    transactional_db: None,
    live_server: Any,
    local_media: Path,  # noqa: F811
    valid_video: Path,
    photo_png: Path,
    photo_jpeg: Path,
    page: Any,
    width: int,
) -> None:
    # given: a signed-in editor, and a file the library is still reading
    workspace = WorkspaceFactory(name="Brand A")
    get_user_model().objects.create_superuser("editor", "e@example.com", PASSWORD)
    reading = MediaAssetFactory(
        workspace=workspace,
        original_filename="still-reading.mp4",
        probe_status="pending",
        is_tiktok_ready=False,
    )
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})
    url = live_server.url + reverse("admin:media_library_mediaasset_changelist")
    page.goto(url)
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(url)
    page.evaluate("window.sameDocument = true")
    reading_card = page.locator(f"#media-card-{reading.pk}")
    assert "Checking the file" in reading_card.inner_text()
    assert page.locator(".paginator").inner_text().strip() == "1 media asset"
    # when: three files are chosen at once
    page.set_input_files(
        "#media-files", [str(valid_video), str(photo_png), str(photo_jpeg)]
    )
    # then: one row each, each with its own progress bar, each finished
    rows = page.locator("#media-upload-list li")
    assert rows.count() == 3
    assert page.locator("#media-upload-list li progress").count() == 3
    page.locator("#media-upload-list li.is-done").nth(2).wait_for()
    assert page.locator("#media-upload-list li.is-failed").count() == 0
    assert all(
        value == 1
        for value in page.eval_on_selector_all(
            "#media-upload-list progress", "bars => bars.map(bar => bar.value)"
        )
    )
    # and the three cards are in the grid, without a reload
    for name in (valid_video.name, photo_png.name, photo_jpeg.name):
        asset = MediaAsset.objects.get(original_filename=name)
        card = page.locator(f"#media-card-{asset.pk}")
        card.wait_for()
        assert asset.workspace_id == workspace.pk
        assert card.locator(".readiness-badge").first.inner_text() in {
            "Ready for TikTok",
            "Not ready for TikTok",
        }
    assert page.locator(".action-counter").inner_text() == "0 of 4 selected"
    # the total under the grid counts them too
    assert page.locator(".paginator").inner_text().strip() == "4 media assets"
    page.locator(f"#media-card-{reading.pk} input.action-select").check()
    assert page.locator(".action-counter").inner_text() == "1 of 4 selected"
    # when: the background probe finishes the file it was reading
    MediaAsset.objects.filter(pk=reading.pk).update(
        probe_status="probed", is_tiktok_ready=True
    )
    # then: its card says so by itself, on the same page
    page.locator(f"#media-card-{reading.pk}[data-live=false]").wait_for(timeout=20_000)
    assert reading_card.locator(".readiness-badge").inner_text() == "Ready for TikTok"
    assert reading_card.locator("input.action-select").is_checked()
    assert page.evaluate("window.sameDocument") is True
    assert blocked == []
    screenshot(page, f"media-library-{width}")
