"""TikTok's format rules (docs/tiktok.md §7), checked without a database.

Each rule returns None when the file passes, or one sentence saying what is wrong
and what would fix it; the admin and ``import_media`` show those sentences as
they are. Per-account limits (``max_video_post_duration_sec``) depend on the
creator and are checked when a post is composed, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

# https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
ACCEPTED_VIDEO_TYPES = {
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
}
ACCEPTED_VIDEO_CODECS = {"h264": "H.264", "hevc": "H.265", "vp8": "VP8", "vp9": "VP9"}
MIN_FRAME_RATE = 23
MAX_FRAME_RATE = 60
MIN_VIDEO_SIDE = 360
MAX_VIDEO_SIDE = 4096
# TikTok says "4 GB" without saying which gigabyte; the decimal one is the
# stricter reading, so a file that passes here passes at TikTok either way.
MAX_VIDEO_BYTES = 4_000_000_000
MAX_VIDEO_SECONDS = 600
# https://developers.tiktok.com/doc/content-posting-api-reference-photo-post
ACCEPTED_PHOTO_FORMATS = {"JPEG": "JPEG", "WEBP": "WebP"}
MAX_PHOTO_BYTES = 20_000_000
# "1080p" read as at most 1920 x 1080 in either orientation.
MAX_PHOTO_LONG_SIDE = 1920
MAX_PHOTO_SHORT_SIDE = 1080

MIME_LABELS = {
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
    "video/x-matroska": "Matroska (MKV)",
    "video/x-m4v": "M4V",
    "video/3gpp": "3GP",
}
FIX = 'Use "Make TikTok-ready" to'


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What probing found in a file; the input of every rule."""

    kind: str
    mime_type: str
    size_bytes: int
    container: str = ""
    video_codec: str = ""
    audio_codec: str = ""
    video_stream_count: int = 0
    audio_stream_count: int = 0
    duration_seconds: float | None = None
    frame_rate: Fraction | None = None
    # From the timestamps (media_library.framerate): spans of 10 frames that
    # run at different rates, the slowest and fastest of them in frames per
    # second, and the relative error the time base's rounding allows in those.
    variable_frame_rate: bool = False
    min_frame_rate: float | None = None
    max_frame_rate: float | None = None
    frame_rate_rounding: float = 0.0
    width: int | None = None
    height: int | None = None
    rotation: int = 0
    bit_rate: int | None = None
    image_format: str = ""
    exif_orientation: int | None = None


Rule = Callable[[MediaFacts], str | None]


def check_video_container(facts: MediaFacts) -> str | None:
    if facts.mime_type in ACCEPTED_VIDEO_TYPES:
        return None
    label = MIME_LABELS.get(facts.mime_type, facts.mime_type)
    return (
        f"This video is a {label} file, but TikTok accepts only MP4, MOV and WebM. "
        f"{FIX} convert it to MP4."
    )


def check_video_stream_count(facts: MediaFacts) -> str | None:
    if facts.video_stream_count == 1:
        return None
    return (
        f"This file has {facts.video_stream_count} video tracks, but TikTok needs "
        f"exactly one. {FIX} keep only the first."
    )


def check_video_codec(facts: MediaFacts) -> str | None:
    if facts.video_codec in ACCEPTED_VIDEO_CODECS:
        return None
    codec = facts.video_codec or "an unknown codec"
    return (
        f"This video is encoded with {codec}, but TikTok accepts only H.264, H.265, "
        f"VP8 and VP9. {FIX} re-encode it as H.264."
    )


def check_video_frame_rate(facts: MediaFacts) -> str | None:
    """23 to 60 fps (§7), judged on the rate players see, not the header's.

    A constant rate is taken as decided from the timestamps, which already
    allows for the time base's rounding (a 60 fps file with a 1/1000 time base
    reads as 60, a true 60.06 as 60.06). §7 names a range, not a constant rate,
    so a variable frame rate whose every span stays within 23 to 60 passes;
    one with any span outside it fails, allowing each span the rounding error.
    """
    if facts.variable_frame_rate:
        return _check_variable_frame_rate(facts)
    rate = facts.frame_rate
    if rate is None:
        return (
            "The frame rate of this video could not be determined, and TikTok "
            f"needs 23 to 60 frames per second. {FIX} convert it to 30."
        )
    if MIN_FRAME_RATE <= rate <= MAX_FRAME_RATE:
        return None
    return (
        f"This video runs at {_number(float(rate))} frames per second, but TikTok "
        f"accepts 23 to 60. {FIX} convert it to 30 frames per second."
    )


def _check_variable_frame_rate(facts: MediaFacts) -> str | None:
    slowest = facts.min_frame_rate or 0.0
    fastest = facts.max_frame_rate or 0.0
    allowance = 1 + facts.frame_rate_rounding
    if slowest * allowance >= MIN_FRAME_RATE and fastest / allowance <= MAX_FRAME_RATE:
        return None
    return (
        f"Variable frame rate between {_fps(slowest)} and {_fps(fastest)} frames per "
        "second: parts of this video run outside the 23 to 60 that TikTok accepts. "
        f"{FIX} convert it to a constant 30 frames per second."
    )


def check_video_dimensions(facts: MediaFacts) -> str | None:
    width, height = facts.width or 0, facts.height or 0
    sides = (width, height)
    if all(MIN_VIDEO_SIDE <= side <= MAX_VIDEO_SIDE for side in sides):
        return None
    return (
        f"This video is {width} x {height} pixels, but TikTok needs each side to be "
        f"between {MIN_VIDEO_SIDE} and {MAX_VIDEO_SIDE} pixels. {FIX} scale it."
    )


def check_video_size(facts: MediaFacts) -> str | None:
    if facts.size_bytes <= MAX_VIDEO_BYTES:
        return None
    return (
        f"This video is {_bytes(facts.size_bytes)}, more than TikTok's 4 GB limit. "
        f"{FIX} re-encode it at a lower bit rate, or trim it."
    )


def check_video_duration(facts: MediaFacts) -> str | None:
    duration = facts.duration_seconds
    if duration is None:
        return (
            "The length of this video could not be determined. Export it again as "
            "MP4 (H.264)."
        )
    if duration <= MAX_VIDEO_SECONDS:
        return None
    return (
        f"This video lasts {_clock(duration)}, but TikTok accepts at most 10:00 "
        "through its API. Trim it to 10 minutes or less in a video editor."
    )


def check_photo_format(facts: MediaFacts) -> str | None:
    if facts.image_format in ACCEPTED_PHOTO_FORMATS:
        return None
    label = facts.image_format or facts.mime_type
    return (
        f"This photo is a {label} image, but TikTok accepts only JPEG and WebP. "
        f"{FIX} convert it to JPEG."
    )


def check_photo_size(facts: MediaFacts) -> str | None:
    if facts.size_bytes <= MAX_PHOTO_BYTES:
        return None
    return (
        f"This photo is {_bytes(facts.size_bytes)}, more than TikTok's 20 MB limit. "
        f"{FIX} re-save it as a smaller JPEG."
    )


def check_photo_dimensions(facts: MediaFacts) -> str | None:
    width, height = facts.width or 0, facts.height or 0
    if (
        max(width, height) <= MAX_PHOTO_LONG_SIDE
        and min(width, height) <= MAX_PHOTO_SHORT_SIDE
    ):
        return None
    return (
        f"This photo is {width} x {height} pixels, larger than TikTok's 1080p limit "
        f"(1920 x 1080 either way round). {FIX} scale it down."
    )


VIDEO_RULES: tuple[Rule, ...] = (
    check_video_container,
    check_video_stream_count,
    check_video_codec,
    check_video_frame_rate,
    check_video_dimensions,
    check_video_size,
    check_video_duration,
)
PHOTO_RULES: tuple[Rule, ...] = (
    check_photo_format,
    check_photo_size,
    check_photo_dimensions,
)


def tiktok_problems(facts: MediaFacts) -> list[str]:
    """Every reason TikTok would refuse this file; empty when it is ready."""
    rules = VIDEO_RULES if facts.kind == "video" else PHOTO_RULES
    return [problem for rule in rules if (problem := rule(facts)) is not None]


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _fps(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _bytes(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            return f"{_number(round(size / scale, 2))} {unit}"
    return f"{size} bytes"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
