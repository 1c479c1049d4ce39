"""Real media for the tests, generated with PyAV and Pillow (nothing binary in git).

Small resolutions and short durations keep the suite fast; every file is still a
real file that FFmpeg and browsers can open.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from media_library.samples import make_long_video, make_sample_photo, make_sample_video


def valid_video(path: Path) -> Path:
    return make_sample_video(path, seconds=1.0, width=360, height=640, fps=30)


def video(path: Path, **options: object) -> Path:
    settings: dict[str, object] = {
        "seconds": 0.5,
        "width": 360,
        "height": 640,
        "fps": 30,
        "with_audio": False,
    }
    settings.update(options)
    return make_sample_video(path, **settings)  # type: ignore[arg-type]


def too_long_video(directory: Path) -> Path:
    clip = video(directory / "clip-for-long.mp4", seconds=1.0, width=360, height=360)
    return make_long_video(clip, directory / "eleven-minutes.mp4", repeat=660)


def two_video_tracks(path: Path) -> Path:
    import av
    import numpy as np

    with av.open(str(path), mode="w") as container:
        streams = []
        for _ in range(2):
            stream = container.add_stream("libx264", rate=30)
            stream.width, stream.height, stream.pix_fmt = 360, 360, "yuv420p"
            streams.append(stream)
        pixels = np.zeros((360, 360, 3), dtype=np.uint8)
        for _ in range(10):
            for stream in streams:
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                container.mux(stream.encode(frame))
        for stream in streams:
            container.mux(stream.encode(None))
    return path


def photo(path: Path, *, width: int, height: int, image_format: str = "JPEG") -> Path:
    path.write_bytes(
        make_sample_photo(width=width, height=height, image_format=image_format)
    )
    return path


def rotated_photo(path: Path) -> Path:
    image = Image.new("RGB", (400, 300), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": a portrait shot from a phone
    image.save(path, format="JPEG", exif=exif)
    return path


def png_bomb(path: Path) -> Path:
    """A few hundred bytes of PNG that declare 100,000 x 100,000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )
    return path


def polyglot_png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (0, 128, 255)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue() + b"<html><script>alert(1)</script></html>")
    return path


def truncated(source: Path, path: Path, *, keep: float = 0.6) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def hls_playlist(path: Path, *, targets: list[str]) -> Path:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10"]
    for target in targets:
        lines += ["#EXTINF:10.0,", target]
    lines.append("#EXT-X-ENDLIST")
    path.write_text("\n".join(lines) + "\n")
    return path
