"""Absolute URLs the sandbox hands out. Built from BASE_URL at call time, so a
test that moves BASE_URL to its live server gets URLs that reach it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils.html import format_html

from tiktok_sandbox.models import SandboxCreator, SandboxVideo


def sandbox_url(path: str, **query: str) -> str:
    base = f"{settings.BASE_URL}/{settings.TIKTOK_SANDBOX_PREFIX}{path}"
    return f"{base}?{urlencode(query)}" if query else base


def upload_url(*, upload_id: str, upload_token: str) -> str:
    return sandbox_url("upload/", upload_id=upload_id, upload_token=upload_token)


def avatar_url(creator: SandboxCreator, *, size: int = 720) -> str:
    return sandbox_url(f"avatar/{creator.username}/", size=str(size))


def profile_url(creator: SandboxCreator) -> str:
    return sandbox_url(f"@{creator.username}/")


def video_page_url(video: SandboxVideo) -> str:
    return sandbox_url(f"@{video.creator.username}/video/{video.video_id}/")


def cover_url(video: SandboxVideo) -> str:
    return sandbox_url(f"cover/{video.video_id}/")


def embed_html(video: SandboxVideo) -> str:
    return str(
        format_html(
            '<blockquote class="tiktok-embed" cite="{}" data-video-id="{}">'
            '<a href="{}">{}</a></blockquote>',
            video_page_url(video),
            video.video_id,
            video_page_url(video),
            video.title or video.video_id,
        )
    )
