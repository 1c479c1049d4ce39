"""Child process: re-encode one file into something TikTok accepts.

Run by ``media_library.conversion`` as ``python -m media_library.workers.convert``
with a JSON request on stdin (source, destination and a plan computed by the
parent). Prints ``{"progress": 0.0..1.0}`` lines while it works and a final
``{"ok": true}`` or ``{"ok": false, "reason": ...}``. Videos become H.264
(yuv420p) + AAC in MP4 with the index first; photos become baseline JPEG.
"""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction
from typing import Any

from media_library.workers.common import (
    RefusedError,
    apply_limits,
    describe_ffmpeg_error,
    emit,
    open_video,
    read_request,
)

AUDIO_RATE = 48_000
# Progress lines are for a progress bar: one per percent is plenty.
PROGRESS_STEP = 0.01


def main() -> None:
    request = read_request()
    apply_limits(
        memory_bytes=int(request["memory_bytes"]),
        cpu_seconds=int(request["cpu_seconds"]),
        file_size_bytes=int(request["max_file_bytes"]),
        open_files=128,
    )
    try:
        if request["kind"] == "video":
            convert_video(request)
        else:
            convert_photo(request)
    except RefusedError as refusal:
        emit({"ok": False, "reason": refusal.reason})
        return
    except MemoryError:
        emit(
            {
                "ok": False,
                "reason": "Converting the file needs more memory than allowed.",
            }
        )
        return
    emit({"ok": True})


def convert_video(request: dict[str, Any]) -> None:
    import av

    plan = request["plan"]
    fps = Fraction(plan["fps"])
    source = open_video(request["path"], request["demuxer"])
    try:
        with (
            source,
            av.open(
                request["dest"],
                mode="w",
                format="mp4",
                options={"movflags": "+faststart"},
            ) as output,
        ):
            _transcode(source, output, plan, fps, float(request["duration_seconds"]))
    except av.FFmpegError as error:
        raise RefusedError(describe_ffmpeg_error(error)) from error


def _transcode(
    source: Any, output: Any, plan: dict[str, Any], fps: Fraction, duration: float
) -> None:
    import av

    video_in = source.streams.video[0]
    video_in.codec_context.thread_count = 2
    audio_in = source.streams.audio[0] if source.streams.audio else None

    video_out = output.add_stream("libx264", rate=fps)
    video_out.width = plan["pad_width"]
    video_out.height = plan["pad_height"]
    video_out.pix_fmt = "yuv420p"
    video_out.codec_context.options = {"crf": "21", "preset": "veryfast"}
    video_out.codec_context.thread_count = 2
    audio_out = None
    if audio_in is not None:
        audio_out = output.add_stream("aac", rate=AUDIO_RATE)
        audio_out.layout = "stereo"
        audio_out.bit_rate = 128_000

    graph = _video_graph(video_in, plan, fps)
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    video_index = 0
    audio_samples = 0
    reported = -1.0
    streams = [video_in] + ([audio_in] if audio_in is not None else [])
    for packet in source.demux(*streams):
        for frame in packet.decode():
            if packet.stream.index == video_in.index:
                graph.push(frame)
                video_index = _drain_video(graph, output, video_out, video_index, fps)
                if duration > 0 and frame.time is not None:
                    progress = min(0.99, frame.time / duration)
                    if progress - reported >= PROGRESS_STEP:
                        emit({"progress": round(progress, 3)})
                        reported = progress
            elif audio_out is not None:
                for chunk in resampler.resample(frame):
                    chunk.pts = audio_samples
                    chunk.time_base = Fraction(1, AUDIO_RATE)
                    audio_samples += chunk.samples
                    output.mux(audio_out.encode(chunk))
    graph.push(None)
    video_index = _drain_video(graph, output, video_out, video_index, fps)
    output.mux(video_out.encode(None))
    if audio_out is not None:
        for chunk in resampler.resample(None):
            chunk.pts = audio_samples
            chunk.time_base = Fraction(1, AUDIO_RATE)
            audio_samples += chunk.samples
            output.mux(audio_out.encode(chunk))
        output.mux(audio_out.encode(None))
    if video_index == 0:
        raise RefusedError("No picture could be decoded from the video.")


def _video_graph(video_in: Any, plan: dict[str, Any], fps: Fraction) -> Any:
    import av.filter

    graph = av.filter.Graph()
    chain = [graph.add_buffer(template=video_in)]
    rotation = int(plan.get("rotation") or 0)
    # The display matrix says how to turn the stored picture upright; baking the
    # turn into the pixels means players that ignore the matrix show it right too.
    if rotation == 90:
        chain.append(graph.add("transpose", "cclock"))
    elif rotation == -90:
        chain.append(graph.add("transpose", "clock"))
    elif abs(rotation) == 180:
        chain += [graph.add("hflip"), graph.add("vflip")]
    chain += [
        graph.add("fps", f"fps={fps.numerator}/{fps.denominator}"),
        graph.add("scale", f"{plan['width']}:{plan['height']}:flags=bicubic"),
        graph.add(
            "pad",
            f"{plan['pad_width']}:{plan['pad_height']}:(ow-iw)/2:(oh-ih)/2:black",
        ),
        graph.add("setsar", "1"),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ]
    for upstream, downstream in itertools.pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    return graph


def _drain_video(
    graph: Any, output: Any, video_out: Any, index: int, fps: Fraction
) -> int:
    import av

    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return index
        # The fps filter emits evenly spaced frames; number them in 1/fps units.
        frame.pts = index
        frame.time_base = 1 / fps
        output.mux(video_out.encode(frame))
        index += 1


def convert_photo(request: dict[str, Any]) -> None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    plan = request["plan"]
    Image.MAX_IMAGE_PIXELS = int(request["max_pixels"])
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(request["path"], formats=("JPEG", "PNG", "WEBP")) as image:
            emit({"progress": 0.1})
            upright = ImageOps.exif_transpose(image)
            if upright.mode in {"RGBA", "LA", "P"}:
                upright = upright.convert("RGBA")
                flat = Image.new("RGB", upright.size, (255, 255, 255))
                flat.paste(upright, mask=upright.getchannel("A"))
                upright = flat
            else:
                upright = upright.convert("RGB")
            upright.thumbnail(
                (plan["max_width"], plan["max_height"]), Image.Resampling.LANCZOS
            )
            emit({"progress": 0.8})
            # Saved without EXIF: the pixels are already upright, and location
            # and camera data should not travel to TikTok by accident.
            upright.save(request["dest"], format="JPEG", quality=90, optimize=True)
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        UnidentifiedImageError,
        OSError,
    ) as error:
        raise RefusedError(f"The image could not be converted ({error}).") from error


if __name__ == "__main__":
    main()
