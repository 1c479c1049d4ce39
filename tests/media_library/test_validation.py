"""Every TikTok rule of docs/tiktok.md §7, one at a time, without a database."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from media_library.conversion import (
    ConversionNotPossibleError,
    PhotoPlan,
    VideoPlan,
    plan_conversion,
)
from media_library.framerate import parse_frame_rate
from media_library.validation import MediaFacts, tiktok_problems

GOOD_VIDEO = MediaFacts(
    kind="video",
    mime_type="video/mp4",
    size_bytes=10_000_000,
    container="mov",
    video_codec="h264",
    audio_codec="aac",
    video_stream_count=1,
    audio_stream_count=1,
    duration_seconds=30.0,
    frame_rate=Fraction(30),
    width=1080,
    height=1920,
)
GOOD_PHOTO = MediaFacts(
    kind="photo",
    mime_type="image/jpeg",
    size_bytes=2_000_000,
    image_format="JPEG",
    width=1080,
    height=1350,
)


def test_a_good_video_and_a_good_photo_pass() -> None:
    assert tiktok_problems(GOOD_VIDEO) == []
    assert tiktok_problems(GOOD_PHOTO) == []


@pytest.mark.parametrize("mime_type", ["video/mp4", "video/quicktime", "video/webm"])
def test_mp4_mov_and_webm_are_accepted(mime_type: str) -> None:
    assert tiktok_problems(replace(GOOD_VIDEO, mime_type=mime_type)) == []


@pytest.mark.parametrize(
    ("mime_type", "label"),
    [("video/x-matroska", "Matroska (MKV)"), ("video/3gpp", "3GP")],
)
def test_other_containers_are_refused_with_a_fix(mime_type: str, label: str) -> None:
    # when
    problems = tiktok_problems(replace(GOOD_VIDEO, mime_type=mime_type))
    # then
    assert problems == [
        f"This video is a {label} file, but TikTok accepts only MP4, MOV and WebM. "
        'Use "Make TikTok-ready" to convert it to MP4.'
    ]


@pytest.mark.parametrize("codec", ["h264", "hevc", "vp8", "vp9"])
def test_the_four_codecs_are_accepted(codec: str) -> None:
    assert tiktok_problems(replace(GOOD_VIDEO, video_codec=codec)) == []


def test_another_codec_is_refused_with_a_fix() -> None:
    # when
    problems = tiktok_problems(replace(GOOD_VIDEO, video_codec="prores"))
    # then
    assert problems == [
        "This video is encoded with prores, but TikTok accepts only H.264, H.265, "
        'VP8 and VP9. Use "Make TikTok-ready" to re-encode it as H.264.'
    ]


@pytest.mark.parametrize("count", [0, 2])
def test_exactly_one_video_track_is_required(count: int) -> None:
    # when
    problems = tiktok_problems(replace(GOOD_VIDEO, video_stream_count=count))
    # then
    assert problems == [
        f"This file has {count} video tracks, but TikTok needs exactly one. "
        'Use "Make TikTok-ready" to keep only the first.'
    ]


@pytest.mark.parametrize(
    "rate", [Fraction(23), Fraction(24000, 1001), Fraction(60), Fraction(60000, 1001)]
)
def test_frame_rates_from_23_to_60_pass(rate: Fraction) -> None:
    assert tiktok_problems(replace(GOOD_VIDEO, frame_rate=rate)) == []


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(Fraction(22), "22"), (Fraction(61), "61"), (Fraction(120000, 1001), "119.88")],
)
def test_frame_rates_outside_23_to_60_fail(rate: Fraction, shown: str) -> None:
    # when
    problems = tiktok_problems(replace(GOOD_VIDEO, frame_rate=rate))
    # then
    assert problems == [
        f"This video runs at {shown} frames per second, but TikTok accepts 23 to 60. "
        'Use "Make TikTok-ready" to convert it to 30 frames per second.'
    ]


def test_an_unknown_frame_rate_fails() -> None:
    problems = tiktok_problems(replace(GOOD_VIDEO, frame_rate=None))
    assert problems[0].startswith("The frame rate of this video could not be")


@pytest.mark.parametrize(
    ("width", "height"), [(360, 360), (4096, 4096), (360, 4096), (1080, 1920)]
)
def test_sides_from_360_to_4096_pass(width: int, height: int) -> None:
    assert tiktok_problems(replace(GOOD_VIDEO, width=width, height=height)) == []


@pytest.mark.parametrize(
    ("width", "height"), [(359, 640), (640, 359), (4097, 2160), (1080, 4097)]
)
def test_a_side_outside_360_to_4096_fails(width: int, height: int) -> None:
    # when
    problems = tiktok_problems(replace(GOOD_VIDEO, width=width, height=height))
    # then
    assert problems == [
        f"This video is {width} x {height} pixels, but TikTok needs each side to be "
        'between 360 and 4096 pixels. Use "Make TikTok-ready" to scale it.'
    ]


def test_four_gigabytes_pass_and_one_byte_more_fails() -> None:
    # given
    at_limit = replace(GOOD_VIDEO, size_bytes=4_000_000_000)
    over = replace(GOOD_VIDEO, size_bytes=4_000_000_001)
    # then
    assert tiktok_problems(at_limit) == []
    assert tiktok_problems(over) == [
        'This video is 4 GB, more than TikTok\'s 4 GB limit. Use "Make TikTok-ready" '
        "to re-encode it at a lower bit rate, or trim it."
    ]


def test_ten_minutes_pass_and_longer_fails() -> None:
    assert tiktok_problems(replace(GOOD_VIDEO, duration_seconds=600.0)) == []
    assert tiktok_problems(replace(GOOD_VIDEO, duration_seconds=601.0)) == [
        "This video lasts 10:01, but TikTok accepts at most 10:00 through its API. "
        "Trim it to 10 minutes or less in a video editor."
    ]


def test_an_unknown_duration_fails() -> None:
    problems = tiktok_problems(replace(GOOD_VIDEO, duration_seconds=None))
    assert problems == [
        "The length of this video could not be determined. Export it again as MP4 "
        "(H.264)."
    ]


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_jpeg_and_webp_photos_pass(image_format: str) -> None:
    assert tiktok_problems(replace(GOOD_PHOTO, image_format=image_format)) == []


def test_a_png_photo_fails_with_a_fix() -> None:
    problems = tiktok_problems(replace(GOOD_PHOTO, image_format="PNG"))
    assert problems == [
        "This photo is a PNG image, but TikTok accepts only JPEG and WebP. "
        'Use "Make TikTok-ready" to convert it to JPEG.'
    ]


def test_twenty_megabytes_pass_and_more_fails() -> None:
    assert tiktok_problems(replace(GOOD_PHOTO, size_bytes=20_000_000)) == []
    assert tiktok_problems(replace(GOOD_PHOTO, size_bytes=25_500_000)) == [
        "This photo is 25.5 MB, more than TikTok's 20 MB limit. "
        'Use "Make TikTok-ready" to re-save it as a smaller JPEG.'
    ]


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920), (800, 800)])
def test_photos_up_to_1080p_either_way_pass(width: int, height: int) -> None:
    assert tiktok_problems(replace(GOOD_PHOTO, width=width, height=height)) == []


@pytest.mark.parametrize(
    ("width", "height"), [(1921, 1080), (1440, 1440), (1081, 1920)]
)
def test_photos_beyond_1080p_fail(width: int, height: int) -> None:
    problems = tiktok_problems(replace(GOOD_PHOTO, width=width, height=height))
    assert problems == [
        f"This photo is {width} x {height} pixels, larger than TikTok's 1080p limit "
        '(1920 x 1080 either way round). Use "Make TikTok-ready" to scale it down.'
    ]


def test_every_failing_rule_is_reported_not_just_the_first() -> None:
    # given
    facts = replace(GOOD_VIDEO, frame_rate=Fraction(120), width=200, video_codec="")
    # when
    problems = tiktok_problems(facts)
    # then
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30000/1001", Fraction(30000, 1001)),
        ("25", Fraction(25)),
        ("0/0", None),
        ("1/0", None),
        ("__import__('os')", None),
        ("-30/1", None),
        (30, None),
    ],
)
def test_frame_rates_are_parsed_as_fractions_never_evaluated(
    text: object, expected: Fraction | None
) -> None:
    assert parse_frame_rate(text) == expected


def test_plan_keeps_a_good_frame_rate_and_fixes_a_bad_one() -> None:
    keep = plan_conversion(replace(GOOD_VIDEO, frame_rate=Fraction(24000, 1001)))
    fix = plan_conversion(replace(GOOD_VIDEO, frame_rate=Fraction(120)))
    assert isinstance(keep, VideoPlan)
    assert isinstance(fix, VideoPlan)
    assert keep.fps == Fraction(24000, 1001)
    assert fix.fps == Fraction(30)


def test_plan_makes_a_variable_frame_rate_a_constant_30() -> None:
    # given: spans from 10 to 60 fps averaging 45, which alone would be kept
    facts = replace(
        GOOD_VIDEO,
        frame_rate=Fraction(45),
        variable_frame_rate=True,
        min_frame_rate=10.0,
        max_frame_rate=60.0,
    )
    # when
    plan = plan_conversion(facts)
    # then
    assert isinstance(plan, VideoPlan)
    assert plan.fps == Fraction(30)


@pytest.mark.parametrize(
    ("size", "scaled", "padded"),
    [
        ((320, 240), (480, 360), (480, 360)),
        ((8192, 4320), (4096, 2160), (4096, 2160)),
        ((1080, 1920), (1080, 1920), (1080, 1920)),
        ((100, 4000), (102, 4096), (360, 4096)),
        ((361, 641), (360, 640), (360, 640)),
    ],
)
def test_plan_scales_into_360_to_4096_keeping_the_shape(
    size: tuple[int, int], scaled: tuple[int, int], padded: tuple[int, int]
) -> None:
    # when
    plan = plan_conversion(replace(GOOD_VIDEO, width=size[0], height=size[1]))
    # then
    assert isinstance(plan, VideoPlan)
    assert (plan.width, plan.height) == scaled
    assert (plan.pad_width, plan.pad_height) == padded


def test_plan_turns_a_rotated_video_upright() -> None:
    plan = plan_conversion(replace(GOOD_VIDEO, width=1920, height=1080, rotation=-90))
    assert isinstance(plan, VideoPlan)
    assert (plan.width, plan.height, plan.rotation) == (1080, 1920, -90)


def test_plan_refuses_to_shorten_a_long_video() -> None:
    with pytest.raises(ConversionNotPossibleError, match="cannot shorten"):
        plan_conversion(replace(GOOD_VIDEO, duration_seconds=900.0))


@pytest.mark.parametrize(
    ("size", "orientation", "box"),
    [
        ((4000, 3000), None, (1920, 1080)),
        ((3000, 4000), None, (1080, 1920)),
        ((4000, 3000), 6, (1080, 1920)),
    ],
)
def test_plan_fits_photos_into_1080p_by_their_upright_shape(
    size: tuple[int, int], orientation: int | None, box: tuple[int, int]
) -> None:
    plan = plan_conversion(
        replace(GOOD_PHOTO, width=size[0], height=size[1], exif_orientation=orientation)
    )
    assert plan == PhotoPlan(max_width=box[0], max_height=box[1])
