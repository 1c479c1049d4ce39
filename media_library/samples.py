"""Generate short sample videos and photos at run time (demo seed, tests, benchmarks).

Nothing binary is committed: every sample is drawn and encoded here with PyAV
(FFmpeg's libraries, shipped in the wheel) and Pillow.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream
from PIL import Image, ImageDraw


def make_sample_video(
    path: Path,
    *,
    seconds: float = 3.0,
    width: int = 720,
    height: int = 1280,
    fps: int | Fraction = 30,
    codec: str = "libx264",
    container_format: str | None = None,
    with_audio: bool = True,
    label: str = "Postdeck",
    rotation: int = 0,
    container_options: dict[str, str] | None = None,
    time_base: Fraction | None = None,
    frame_times: Sequence[Fraction] | None = None,
) -> Path:
    """Encode a moving colour gradient (and a tone) into ``path``.

    ``rotation`` writes a display matrix (degrees counter-clockwise, as phones
    do for portrait clips); ``container_options`` go to the muxer, e.g.
    ``{"movflags": "+faststart"}`` to put the MP4 index first.

    By default frames are ``1 / fps`` apart. ``time_base`` (seconds per tick)
    stamps each frame at its time rounded to that tick, as editors that count
    in milliseconds do. ``frame_times`` (seconds from the start, ascending)
    places the frames there instead, for a variable frame rate, in ticks of
    ``time_base`` or else 1/90000 s. ``fps`` stays the rate the encoder is told.
    """
    if frame_times is None:
        count = max(1, round(seconds * fps))
        frame_times = [Fraction(index) / Fraction(fps) for index in range(count)]
    elif time_base is None:
        time_base = Fraction(1, 90_000)
    frame_count = len(frame_times)
    with av.open(
        str(path), mode="w", format=container_format, options=container_options or {}
    ) as container:
        video = cast(VideoStream, container.add_stream(codec, rate=fps))
        video.width = width
        video.height = height
        video.pix_fmt = "yuv420p"
        if rotation:
            video.set_display_rotation(rotation)
        if time_base is not None:
            video.codec_context.time_base = time_base
            video.time_base = time_base
        audio = None
        if with_audio:
            audio = container.add_stream("aac", rate=44100)
            audio.layout = "mono"
        base = _gradient(width, height, label)
        for index in range(frame_count):
            shifted = np.roll(base, shift=index * 8, axis=1)
            frame = av.VideoFrame.from_ndarray(shifted, format="rgb24")
            if time_base is not None:
                frame.time_base = time_base
                frame.pts = round(frame_times[index] / time_base)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if audio is not None:
            _encode_tone(container, audio, seconds)
    return path


def _gradient(width: int, height: int, label: str) -> np.ndarray[Any, Any]:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    red = np.tile(x, (height, 1))
    green = np.tile(y[:, None], (1, width))
    blue = np.full((height, width), 160, dtype=np.uint8)
    image = Image.fromarray(np.dstack([red, green, blue]), "RGB")
    ImageDraw.Draw(image).text((width // 10, height // 2), label, fill=(255, 255, 255))
    return np.asarray(image)


def _encode_tone(
    container: OutputContainer, audio: AudioStream, seconds: float
) -> None:
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


def make_long_video(clip: Path, path: Path, *, repeat: int) -> Path:
    """Write ``clip``'s video track ``repeat`` times end to end, without re-encoding.

    Packets are copied with shifted timestamps, so the result is a real, playable
    file of ``repeat`` times the length (or size) at the cost of a file copy:
    used for "too long" videos and the 1 GiB benchmark file.
    """
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        packets = [
            (packet.pts, packet.dts, packet.duration, packet.is_keyframe, bytes(packet))
            for packet in source.demux(stream)
            if packet.size
        ]
        ends = [
            (pts or 0) + (length or 0) for pts, _dts, length, _key, _data in packets
        ]
        span = max(ends)
        time_base = stream.time_base or Fraction(1, 90_000)
        with av.open(str(path), mode="w", format="mp4") as output:
            copy = output.add_stream_from_template(stream)
            for round_index in range(repeat):
                offset = round_index * span
                for pts, dts, length, is_keyframe, data in packets:
                    packet = av.Packet(data)
                    packet.stream = copy
                    packet.time_base = time_base
                    packet.pts = None if pts is None else pts + offset
                    packet.dts = None if dts is None else dts + offset
                    packet.duration = length
                    packet.is_keyframe = is_keyframe
                    output.mux(packet)
    return path
