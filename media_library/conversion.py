"""What "Make TikTok-ready" will produce from a file, decided without a database.

The plan goes to the child process ``media_library.workers.convert``, which does
the decoding and encoding under resource limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from media_library.validation import (
    MAX_FRAME_RATE,
    MAX_PHOTO_LONG_SIDE,
    MAX_PHOTO_SHORT_SIDE,
    MAX_VIDEO_SECONDS,
    MAX_VIDEO_SIDE,
    MIN_FRAME_RATE,
    MIN_VIDEO_SIDE,
    MediaFacts,
)

# The frame rate a video gets when its own is outside TikTok's 23-60 or varies.
FALLBACK_FRAME_RATE = Fraction(30)


class ConversionNotPossibleError(ValueError):
    """Converting would not help; the message says what to do instead."""


@dataclass(frozen=True, slots=True)
class VideoPlan:
    """Scale to ``width`` x ``height``, pad to ``pad_*``, at ``fps``, upright."""

    width: int
    height: int
    pad_width: int
    pad_height: int
    fps: Fraction
    rotation: int

    def as_request(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "pad_width": self.pad_width,
            "pad_height": self.pad_height,
            "fps": f"{self.fps.numerator}/{self.fps.denominator}",
            "rotation": self.rotation,
        }


@dataclass(frozen=True, slots=True)
class PhotoPlan:
    """Fit within ``max_width`` x ``max_height`` as an upright JPEG."""

    max_width: int
    max_height: int

    def as_request(self) -> dict[str, Any]:
        return {"max_width": self.max_width, "max_height": self.max_height}


def plan_conversion(facts: MediaFacts) -> VideoPlan | PhotoPlan:
    """The conversion that fixes ``facts``, or ``ConversionNotPossibleError``."""
    if facts.kind == "photo":
        return _plan_photo(facts)
    return _plan_video(facts)


def _plan_video(facts: MediaFacts) -> VideoPlan:
    if (
        facts.duration_seconds is not None
        and facts.duration_seconds > MAX_VIDEO_SECONDS
    ):
        raise ConversionNotPossibleError(
            "This video is longer than 10 minutes and converting cannot shorten it. "
            "Trim it in a video editor, then upload the shorter file."
        )
    if not facts.width or not facts.height:
        raise ConversionNotPossibleError(
            "The size of this video is unknown, so it cannot be converted. Export it "
            "again as MP4 (H.264)."
        )
    rotation = facts.rotation if facts.rotation in {90, -90, 180, -180} else 0
    width, height = facts.width, facts.height
    if abs(rotation) == 90:
        width, height = height, width
    short, long = min(width, height), max(width, height)
    scale = 1.0
    if long > MAX_VIDEO_SIDE:
        scale = MAX_VIDEO_SIDE / long
    if short * scale < MIN_VIDEO_SIDE:
        # Enlarge until the short side fits, unless that pushes the long side
        # past the maximum; then the rest is made up with black bars.
        scale = min(MIN_VIDEO_SIDE / short, MAX_VIDEO_SIDE / long)
    scaled_width = _even(width * scale)
    scaled_height = _even(height * scale)
    rate = facts.frame_rate
    # A variable rate becomes constant: the fps filter repeats or drops frames
    # to fill every 1/30 s, so nothing plays faster or slower than before.
    fps = (
        rate
        if rate is not None
        and not facts.variable_frame_rate
        and MIN_FRAME_RATE <= rate <= MAX_FRAME_RATE
        else None
    )
    return VideoPlan(
        width=scaled_width,
        height=scaled_height,
        pad_width=max(scaled_width, MIN_VIDEO_SIDE),
        pad_height=max(scaled_height, MIN_VIDEO_SIDE),
        fps=fps.limit_denominator(1001) if fps else FALLBACK_FRAME_RATE,
        rotation=rotation,
    )


def _plan_photo(facts: MediaFacts) -> PhotoPlan:
    width, height = facts.width or 0, facts.height or 0
    if facts.exif_orientation in {5, 6, 7, 8}:
        width, height = height, width
    if height > width:
        return PhotoPlan(max_width=MAX_PHOTO_SHORT_SIDE, max_height=MAX_PHOTO_LONG_SIDE)
    return PhotoPlan(max_width=MAX_PHOTO_LONG_SIDE, max_height=MAX_PHOTO_SHORT_SIDE)


def _even(value: float) -> int:
    """H.264 in yuv420p needs even sides."""
    return min(MAX_VIDEO_SIDE, max(2, 2 * round(value / 2)))
