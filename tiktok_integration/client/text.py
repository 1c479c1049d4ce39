"""Text length as TikTok counts it: in UTF-16 code units ("runes"), not Python
characters, so an emoji outside the Basic Multilingual Plane costs 2 (§7). The
limits themselves are in facts.py."""

from __future__ import annotations


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
