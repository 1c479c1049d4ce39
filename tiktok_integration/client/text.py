"""Text limits as TikTok counts them: in UTF-16 code units, not Python characters."""

from __future__ import annotations

from typing import Final

# TikTok counts caption length in UTF-16 code units ("runes"), so an emoji outside
# the Basic Multilingual Plane costs 2 (tiktok-api.md §7).
VIDEO_TITLE_MAX: Final = 2200
PHOTO_TITLE_MAX: Final = 90
PHOTO_DESCRIPTION_MAX: Final = 4000


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as TikTok measures it."""
    return len(text.encode("utf-16-le")) // 2


def ensure_utf16_within(text: str, limit: int, *, field_name: str) -> None:
    """Raise ValueError when ``text`` is longer than ``limit`` UTF-16 code units."""
    length = utf16_length(text)
    if length > limit:
        raise ValueError(
            f"{field_name} is {length} UTF-16 code units long; TikTok allows at most "
            f"{limit}."
        )
