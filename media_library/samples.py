"""Generate short sample videos and photos at run time (demo seed, tests, benchmarks).

Nothing binary is committed: every sample is drawn and encoded here with PyAV
(FFmpeg's libraries, shipped in the wheel) and Pillow.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw


def make_sample_video(
    path: Path,
    *,
    seconds: float = 3.0,
    width: int = 720,
    height: int = 1280,
    fps: int = 30,
    codec: str = "libx264",
    container_format: str | None = None,
    with_audio: bool = True,
    label: str = "Postdeck",
) -> Path:
    """Encode a moving colour gradient (and a tone) into ``path``."""
    frame_count = max(1, round(seconds * fps))
    with av.open(str(path), mode="w", format=container_format) as container:
        video = container.add_stream(codec, rate=fps)
        video.width = width
        video.height = height
        video.pix_fmt = "yuv420p"
        audio = None
        if with_audio:
            audio = container.add_stream("aac", rate=44100)
            audio.layout = "mono"  # type: ignore[union-attr]
        base = _gradient(width, height, label)
        for index in range(frame_count):
            shifted = np.roll(base, shift=index * 8, axis=1)
            frame = av.VideoFrame.from_ndarray(shifted, format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None:
            _encode_tone(container, audio, seconds)
    return path


def _gradient(width: int, height: int, label: str) -> np.ndarray:  # type: ignore[type-arg]
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    red = np.tile(x, (height, 1))
    green = np.tile(y[:, None], (1, width))
    blue = np.full((height, width), 160, dtype=np.uint8)
    image = Image.fromarray(np.dstack([red, green, blue]), "RGB")
    ImageDraw.Draw(image).text((width // 10, height // 2), label, fill=(255, 255, 255))
    return np.asarray(image)


def _encode_tone(
    container: av.container.OutputContainer,
    audio: av.audio.stream.AudioStream,
    seconds: float,
) -> None:  # type: ignore[name-defined]
    sample_rate = 44100
    samples_per_frame = 1024
    total = int(seconds * sample_rate)
    time_axis = np.arange(total) / sample_rate
    tone = (0.2 * np.sin(2 * np.pi * 440 * time_axis)).astype(np.float32)
    for start in range(0, total, samples_per_frame):
        chunk = tone[start : start + samples_per_frame]
        frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        for packet in audio.encode(frame):
            container.mux(packet)
    for packet in audio.encode():
        container.mux(packet)


def make_sample_photo(
    *,
    width: int = 1080,
    height: int = 1350,
    image_format: str = "JPEG",
    label: str = "",
) -> bytes:
    """Draw a gradient photo and return its encoded bytes."""
    image = Image.fromarray(_gradient(width, height, label or "Postdeck"), "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, quality=85)
    return buffer.getvalue()
