"""A real Chromium plays the video on an asset's admin page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from media_library.services.assets import media_asset_create
from tests.conftest import screenshot
from tests.factories.workspaces import WorkspaceFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def local_media(settings: Any, tmp_path: Path) -> Path:
    """Files on disk, served at /media/ by the project's own media view."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/media/"},
        },
    }
    return root


@pytest.mark.browser
def test_the_video_plays_on_the_detail_page(
    transactional_db: None,
    live_server: Any,
    local_media: Path,
    valid_video: Path,
    page: Any,
) -> None:
    # given: a stored, probed video and a signed-in editor
    workspace = WorkspaceFactory()
    get_user_model().objects.create_superuser("editor", "e@example.com", PASSWORD)
    with valid_video.open("rb") as handle:
        asset = media_asset_create(
            workspace_id=workspace.pk, file=handle, original_filename="launch.mp4"
        ).asset
    url = live_server.url + reverse(
        "admin:media_library_mediaasset_change", args=[asset.pk]
    )
    page.goto(url)
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(url)
    # when: the browser has loaded the video's data
    page.wait_for_function("document.getElementById('asset-player').readyState >= 2")
    state = page.evaluate(
        """() => {
            const video = document.getElementById('asset-player');
            return {ready: video.readyState, duration: video.duration,
                    width: video.videoWidth, height: video.videoHeight,
                    error: video.error && video.error.code};
        }"""
    )
    screenshot(page, "media-asset-detail")
    # then
    assert state["error"] is None
    assert state["ready"] >= 2
    assert abs(state["duration"] - 1.0) < 0.1
    assert (state["width"], state["height"]) == (360, 640)
    assert page.locator("#tiktok-checks").inner_text().startswith("Ready for TikTok")
