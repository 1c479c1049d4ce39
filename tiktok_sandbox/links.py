"""Absolute URLs the sandbox hands out. Built from BASE_URL at call time, so a
test that moves BASE_URL to its live server gets URLs that reach it."""

from __future__ import annotations

import hashlib
import hmac
import string
import time
from urllib.parse import urlencode

from django.conf import settings
from django.utils.html import format_html

from tiktok_sandbox import rules
from tiktok_sandbox.models import SandboxCreator, SandboxVideo

_SHORT_ALPHABET = string.digits + string.ascii_letters


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


def _cover_signature(video_id: str, expires: int) -> str:
    message = f"cover:{video_id}:{expires}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[
        :32
    ]


def cover_url(video: SandboxVideo, *, now: float | None = None) -> str:
    """A signed cover link that stops working ``COVER_URL_TTL_SECONDS`` after
    it is handed out, as TikTok's CDN links do (§3.4)."""
    expires = int((time.time() if now is None else now) + rules.COVER_URL_TTL_SECONDS)
    return sandbox_url(
        f"cover/{video.video_id}/",
        expires=str(expires),
        signature=_cover_signature(video.video_id, expires),
    )


def cover_url_is_valid(
    *, video_id: str, expires: str, signature: str, now: float | None = None
) -> bool:
    """Whether a cover link was handed out by us and has not expired."""
    if not expires.isdigit():
        return False
    expected = _cover_signature(video_id, int(expires))
    current = time.time() if now is None else now
    return hmac.compare_digest(expected, signature) and int(expires) > current


def short_code(video_id: str) -> str:
    """The short link's code: the numeric id in base 62."""
    number = int(video_id)
    code = ""
    while True:
        number, digit = divmod(number, len(_SHORT_ALPHABET))
        code = _SHORT_ALPHABET[digit] + code
        if number == 0:
            return code


def video_id_of_short_code(code: str) -> str | None:
    """The video id a short code stands for, or None when it is not one."""
    if not code or any(char not in _SHORT_ALPHABET for char in code):
        return None
    number = 0
    for char in code:
        number = number * len(_SHORT_ALPHABET) + _SHORT_ALPHABET.index(char)
    return str(number)


def short_url(video: SandboxVideo) -> str:
    """The short share link (like vm.tiktok.com/…), which redirects to the
    video's page."""
    return sandbox_url(f"t/{short_code(video.video_id)}/")


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
