from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.media_library import media


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


def _cached(name: str, make: Callable[[Path], Path]) -> Callable[..., Path]:
    @pytest.fixture(scope="session", name=name)
    def fixture(media_dir: Path) -> Path:
        return make(media_dir)

    return fixture


valid_video = _cached("valid_video", lambda d: media.valid_video(d / "valid.mp4"))
faststart_video = _cached(
    "faststart_video",
    lambda d: media.video(
        d / "faststart.mp4",
        seconds=1.0,
        container_options={"movflags": "+faststart"},
    ),
)
video_61fps = _cached("video_61fps", lambda d: media.video(d / "fps61.mp4", fps=61))
video_too_small = _cached(
    "video_too_small", lambda d: media.video(d / "small.mp4", width=320, height=240)
)
video_too_long = _cached("video_too_long", media.too_long_video)
video_mpeg4 = _cached(
    "video_mpeg4", lambda d: media.video(d / "mpeg4.mp4", codec="mpeg4")
)
video_rotated = _cached(
    "video_rotated",
    lambda d: media.video(d / "rotated.mp4", width=640, height=360, rotation=90),
)
video_webm = _cached(
    "video_webm",
    lambda d: media.video(
        d / "clip.webm", codec="libvpx", container_format="webm", seconds=0.3
    ),
)
video_mkv = _cached(
    "video_mkv",
    lambda d: media.video(d / "clip.mkv", container_format="matroska", with_audio=True),
)
video_two_tracks = _cached(
    "video_two_tracks", lambda d: media.two_video_tracks(d / "two-tracks.mp4")
)
photo_jpeg = _cached(
    "photo_jpeg", lambda d: media.photo(d / "photo.jpg", width=1080, height=1350)
)
photo_webp = _cached(
    "photo_webp",
    lambda d: media.photo(d / "photo.webp", width=720, height=720, image_format="WEBP"),
)
photo_png = _cached(
    "photo_png",
    lambda d: media.photo(d / "photo.png", width=800, height=600, image_format="PNG"),
)
photo_oversize = _cached(
    "photo_oversize",
    lambda d: media.photo(d / "big.jpg", width=2400, height=3200),
)
photo_rotated = _cached("photo_rotated", lambda d: media.rotated_photo(d / "rot.jpg"))
