"""UTF-16 lengths and the caption limits that depend on them (§7, §12.11)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok_integration.client import (
    PhotoPostRequest,
    PostMode,
    VideoPostRequest,
    utf16_length,
)
from tiktok_integration.client.facts import (
    PHOTO_DESCRIPTION_MAX_UTF16,
    PHOTO_TITLE_MAX_UTF16,
    VIDEO_TITLE_MAX_UTF16,
)

EMOJI = "\N{GRINNING FACE}"
PHOTO_URL = "https://media.example.com/p/1.jpg"


@given(st.text())
def test_utf16_length_counts_code_units(text: str) -> None:
    assert utf16_length(text) == len(text.encode("utf-16-le")) // 2


@given(st.text(alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF)))
def test_every_astral_character_counts_two(text: str) -> None:
    assert utf16_length(text) == 2 * len(text)


def test_known_lengths() -> None:
    assert utf16_length("") == 0
    assert utf16_length("abc") == 3
    assert utf16_length("é") == 1
    assert utf16_length(EMOJI) == 2
    assert utf16_length(f"#fyp {EMOJI}") == 7


def test_limits_match_the_reference() -> None:
    assert (
        VIDEO_TITLE_MAX_UTF16,
        PHOTO_TITLE_MAX_UTF16,
        PHOTO_DESCRIPTION_MAX_UTF16,
    ) == (2200, 90, 4000)


def test_video_title_limit_counts_emoji_twice() -> None:
    # Given 1100 emoji (2200 units), then the caption fits exactly;
    VideoPostRequest(privacy_level="SELF_ONLY", title=EMOJI * 1100)
    # when one more character is added, then it is refused though len() is 1101.
    with pytest.raises(ValueError, match="2201 UTF-16 code units"):
        VideoPostRequest(privacy_level="SELF_ONLY", title=EMOJI * 1100 + "a")


def test_photo_title_and_description_limits() -> None:
    # Given 45 emoji (90 units), then the photo title fits; 46 do not.
    PhotoPostRequest(
        post_mode=PostMode.MEDIA_UPLOAD, photo_images=(PHOTO_URL,), title=EMOJI * 45
    )
    with pytest.raises(ValueError, match="Photo title"):
        PhotoPostRequest(
            post_mode=PostMode.MEDIA_UPLOAD, photo_images=(PHOTO_URL,), title=EMOJI * 46
        )
    with pytest.raises(ValueError, match="Photo description"):
        PhotoPostRequest(
            post_mode=PostMode.MEDIA_UPLOAD,
            photo_images=(PHOTO_URL,),
            description="x" * 4001,
        )
