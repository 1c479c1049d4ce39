"""Sandbox creators of every kind the composer must handle, their connected
accounts, real sample media, and signing in."""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from django.core.files.base import ContentFile

from media_library.models import MediaAsset
from media_library.samples import make_sample_video
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_sandbox.server import ALL_SCOPES
from tiktok_integration.models import TikTokAccount
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.services import sandbox_creator_create, sandbox_tokens_issue
from workspaces.models import Workspace

PASSWORD = "correct horse battery staple"
UPLOAD_ONLY = tuple(scope for scope in ALL_SCOPES if scope != "video.publish")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

#: One sandbox creator per rule of docs/tiktok.md §8 the screen must show.
KINDS: dict[str, dict[str, Any]] = {
    "public": {"nickname": "Pat Public"},
    "private": {"nickname": "Priya Private", "is_private_account": True},
    "nocomments": {"nickname": "Nico No-Comments", "is_comment_disabled": True},
    "noduet": {
        "nickname": "Dana No-Duet",
        "is_duet_disabled": True,
        "is_stitch_disabled": True,
    },
    "unaudited": {"nickname": "Uma Unaudited", "privacy_level_options": ["SELF_ONLY"]},
    "max60": {"nickname": "Max Sixty", "max_video_post_duration_sec": 60},
    "cannotpost": {"nickname": "Ben Banned", "is_banned_from_posting": True},
    "uploadonly": {"nickname": "Olu Upload-Only"},
}


def creator_of(kind: str, *, number: int = 0) -> SandboxCreator:
    """The sandbox creator of ``kind`` (made on first use); ``number`` tells
    creators of one kind apart."""
    username = f"kind.{kind}" + (f".{number}" if number else "")
    found = SandboxCreator.objects.filter(username=username).first()
    if found is not None:
        return found
    return sandbox_creator_create(username=username, **KINDS[kind])


def connect(kind: str, workspace: Workspace, *, number: int = 0) -> TikTokAccount:
    """An account of ``workspace`` connected to the creator of ``kind``."""
    creator = creator_of(kind, number=number)
    scopes = UPLOAD_ONLY if kind == "uploadonly" else ALL_SCOPES
    tokens = sandbox_tokens_issue(creator=creator, scopes=scopes)
    return cast(
        TikTokAccount,
        TikTokAccountFactory(
            workspace=workspace,
            open_id=creator.open_id,
            username=creator.username,
            display_name=creator.nickname,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            granted_scopes=list(scopes),
        ),
    )


@lru_cache(maxsize=2)
def _sample_video_bytes(seconds: float) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = make_sample_video(
            Path(folder) / "sample.mp4", seconds=seconds, width=360, height=640
        )
        return path.read_bytes()


def video_asset(
    workspace: Workspace, *, name: str = "launch.mp4", duration: float = 4.0
) -> MediaAsset:
    """A real playable video; ``duration`` is what the library says it lasts
    (the file itself is 4 s, so a longer claim tests the limits cheaply)."""
    payload = _sample_video_bytes(4.0)
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.VIDEO,
        original_filename=name,
        file=ContentFile(payload, name=name),
        sha256=hashlib.sha256(payload + name.encode()).hexdigest(),
        size_bytes=len(payload),
        mime_type="video/mp4",
        width=360,
        height=640,
        duration_seconds=duration,
        frame_rate=30.0,
        is_tiktok_ready=True,
    )


def photo_asset(workspace: Workspace, *, name: str = "photo.jpg") -> MediaAsset:
    """A real JPEG photo."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (540, 960), (40, 120, 200)).save(buffer, "JPEG")
    payload = buffer.getvalue()
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.PHOTO,
        original_filename=name,
        file=ContentFile(payload, name=name),
        sha256=hashlib.sha256(payload + name.encode()).hexdigest(),
        size_bytes=len(payload),
        mime_type="image/jpeg",
        width=540,
        height=960,
        is_tiktok_ready=True,
    )


def member(workspace: Workspace) -> Any:
    """A staff member of ``workspace`` (password ``PASSWORD``)."""
    return MembershipFactory(workspace=workspace).user


def sign_in(page: Any, base_url: str, user: Any) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")


def shoot(page: Any, name: str) -> list[Path]:
    """Full-page screenshots at 1280 px and at phone width (390 px), kept
    under var/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    original = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        path = SCREENSHOTS / f"composer-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(original)
    return paths
