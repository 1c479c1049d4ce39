"""Child process: measure one untrusted video or photo and render its previews.

Run by ``media_library.inspection`` as ``python -m media_library.workers.probe`` with
a JSON request on stdin. Prints one JSON object: ``{"ok": true, "facts": ...,
"thumbnail": <base64 JPEG>, "cover": <base64 JPEG or null>}`` or ``{"ok": false,
"reason": <sentence>}``. Limits are applied before FFmpeg or Pillow is imported.

A video's facts carry no decided frame rate: ``nominal_frame_rates`` lists what
the header says (r_frame_rate, FFmpeg's guess, the average) and ``timestamps``
summarises the packets' presentation times (``media_library.framerate``); the
parent decides from both.
"""

from __future__ import annotations

import base64
import io
import struct
import warnings
from fractions import Fraction
from typing import Any

from media_library.framerate import TimestampStats, format_frame_rate
from media_library.workers.common import (
    RefusedError,
    Source,
    apply_limits,
    describe_ffmpeg_error,
    emit,
    open_source,
    open_video,
    peak_rss_kib,
    read_request,
)

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
NEEDS_MORE_MEMORY = (
    "Reading the file needs more memory than the library allows, which is "
    "typical of a damaged or hostile file."
)
# A seek lands on the keyframe before the wanted moment; decoding further than
# this many frames to reach it means the file's index lies about keyframes.
MAX_FRAMES_AFTER_SEEK = 1200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_CHUNKS = 100_000


def main() -> None:
    request = read_request()
    apply_limits(
        memory_bytes=int(request["memory_bytes"]),
        cpu_seconds=int(request["cpu_seconds"]),
        file_size_bytes=0,  # a probe writes no files
        open_files=64,
    )
    emit(answer(request, request["path"]))


def answer(
    request: dict[str, Any], source: Source, status_fd: int | None = None
) -> dict[str, Any]:
    """Probe ``source`` as ``request`` says; the final message for the parent.

    ``request`` carries ``kind`` ("video"/"photo"), ``demuxer``, ``cover_ms``,
    ``thumbnail_px``, ``cover_px`` and ``max_pixels``; the answer is
    ``{"ok": True, "facts", "thumbnail", "cover", "cover_ms", "peak_rss_kib"}``
    or ``{"ok": False, "reason": <sentence>}``.
    """
    try:
        if request["kind"] == "video":
            result = probe_video(request, source)
        else:
            result = probe_photo(request, source)
    except RefusedError as refusal:
        return {"ok": False, "reason": refusal.reason}
    except MemoryError:
        return {"ok": False, "reason": NEEDS_MORE_MEMORY}
    return {"ok": True, **result, "peak_rss_kib": peak_rss_kib(status_fd)}


def probe_video(request: dict[str, Any], source: Source) -> dict[str, Any]:
    import av

    container = open_video(source, request["demuxer"])
    with container:
        if not container.streams.video:
            raise RefusedError(
                "The file has no video track (it may be audio only). Choose a file "
                "that contains a video."
            )
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        video.codec_context.thread_count = 2
        rate = video.average_rate or video.guessed_rate or video.base_rate
        duration = _duration_seconds(container, video)
        timestamps = TimestampStats()
        try:
            packet_count, demuxed_end = _demux_everything(container, video, timestamps)
        except av.FFmpegError as error:
            raise RefusedError(describe_ffmpeg_error(error)) from error
        if video.frames and packet_count < video.frames:
            raise RefusedError(
                f"The file is cut short: it lists {video.frames} frames but only "
                f"{packet_count} are present. Export or download it again."
            )
        if packet_count == 0:
            raise RefusedError(
                "The video track contains no frames. Export or download it again."
            )
        if duration is None or duration <= 0:
            duration = demuxed_end
        summary = timestamps.finish(video.time_base) if video.time_base else None
        cover_seconds = _clamp_cover(request["cover_ms"] / 1000, duration, rate)
        try:
            frame = _decode_at(container, video, cover_seconds)
        except av.FFmpegError as error:
            raise RefusedError(describe_ffmpeg_error(error)) from error
        image = frame.to_image()
        rotation = int(frame.rotation or 0)
        if rotation:
            image = image.rotate(rotation, expand=True)
        facts = {
            "container": container.format.name,
            "video_codec": video.codec_context.name,
            "audio_codec": audio.codec_context.name if audio is not None else "",
            "video_stream_count": len(container.streams.video),
            "audio_stream_count": len(container.streams.audio),
            "duration_seconds": duration,
            "nominal_frame_rates": [
                format_frame_rate(nominal)
                for nominal in (video.base_rate, video.guessed_rate, video.average_rate)
                if nominal
            ],
            "timestamps": summary.as_json() if summary is not None else None,
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "rotation": rotation,
            "bit_rate": container.bit_rate or None,
            "pixel_format": video.codec_context.format.name
            if video.codec_context.format
            else "",
            "frame_count": packet_count,
        }
    return {
        "facts": facts,
        "thumbnail": _jpeg_base64(image, request["thumbnail_px"], quality=80),
        "cover": _jpeg_base64(image, request["cover_px"], quality=85),
        "cover_ms": round(cover_seconds * 1000),
    }


def _duration_seconds(container: Any, video: Any) -> float | None:
    if video.duration is not None and video.time_base:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _demux_everything(
    container: Any, video: Any, timestamps: TimestampStats
) -> tuple[int, float]:
    """Read every packet once (no decoding): proves the data is all there.

    Each video packet's pts goes to ``timestamps``; a packet's pts is its
    frame's, so the rate is measured without decoding a single picture.
    """
    count = 0
    end = 0.0
    for packet in container.demux():
        if packet.stream.index != video.index or packet.size == 0:
            continue
        count += 1
        if packet.pts is not None and packet.time_base:
            timestamps.add(packet.pts)
            length = packet.duration or 0
            end = max(end, float((packet.pts + length) * packet.time_base))
    return count, end


def _clamp_cover(seconds: float, duration: float, rate: Fraction | None) -> float:
    frame_length = float(1 / rate) if rate else 0.04
    return max(0.0, min(seconds, duration - frame_length))


def _decode_at(container: Any, video: Any, seconds: float) -> Any:
    container.seek(int(seconds / video.time_base) if seconds else 0, stream=video)
    best = None
    for index, frame in enumerate(container.decode(video)):
        best = frame
        if frame.time is None or frame.time >= seconds - 0.001:
            break
        if index >= MAX_FRAMES_AFTER_SEEK:
            break
    if best is None:
        raise RefusedError(
            "No picture could be decoded from the video. Export it again as MP4 "
            "(H.264)."
        )
    return best


def probe_photo(request: dict[str, Any], source: Source) -> dict[str, Any]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = int(request["max_pixels"])
    Image.MAX_IMAGE_PIXELS = max_pixels
    # Pillow only warns between 1x and 2x the cap; here every excess is an error.
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with (
            open_source(source) as handle,
            Image.open(handle, formats=PHOTO_FORMATS) as image,
        ):
            image_format = image.format or ""
            width, height = image.size
            orientation = image.getexif().get(0x0112)
            if image_format == "PNG":
                _refuse_png_trailing_data(source)
            thumbnail_px = int(request["thumbnail_px"])
            image.draft("RGB", (thumbnail_px * 2, thumbnail_px * 2))
            image.load()
            preview = ImageOps.exif_transpose(image)
            preview = _flatten(preview)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise RefusedError(
            "The image declares more pixels than the library allows "
            f"({max_pixels / 1_000_000:.0f} megapixels), a sign of a decompression "
            "bomb. Export it at a normal size."
        ) from error
    except UnidentifiedImageError as error:
        raise RefusedError(
            "The file could not be read as a JPEG, PNG or WebP image. Export it "
            "again as JPEG."
        ) from error
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise RefusedError(
            f"The image is damaged or cut short ({error}). Export it again as JPEG."
        ) from error
    facts = {
        "image_format": image_format,
        "width": width,
        "height": height,
        "exif_orientation": orientation if isinstance(orientation, int) else None,
    }
    return {
        "facts": facts,
        "thumbnail": _jpeg_base64(preview, thumbnail_px, quality=80),
        "cover": None,
        "cover_ms": 0,
    }


def _refuse_png_trailing_data(source: Source) -> None:
    """A PNG ends at IEND; bytes after it are another file riding along."""
    with open_source(source) as handle:
        if handle.read(8) != PNG_SIGNATURE:
            raise RefusedError("The PNG signature is damaged. Export it again.")
        for _ in range(MAX_PNG_CHUNKS):
            header = handle.read(8)
            if len(header) < 8:
                raise RefusedError(
                    "The PNG image is cut short (no end marker). Export it again."
                )
            length, chunk_type = struct.unpack(">I4s", header)
            handle.seek(length + 4, io.SEEK_CUR)
            if chunk_type == b"IEND":
                break
        else:
            raise RefusedError("The PNG image has too many chunks. Export it again.")
        trailing = len(handle.read(1024 * 1024))
    if trailing:
        raise RefusedError(
            "The PNG file carries other data after the image (a polyglot file), so "
            "it is refused. Export the image again from an image editor."
        )


def _flatten(image: Any) -> Any:
    from PIL import Image

    if image.mode in {"RGBA", "LA"} or (
        image.mode == "P" and "transparency" in image.info
    ):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg_base64(image: Any, longest_side: int, *, quality: int) -> str:
    copy = image.copy()
    copy.thumbnail((longest_side, longest_side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


if __name__ == "__main__":
    main()
