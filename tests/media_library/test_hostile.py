"""Bad input: each file is refused with its reason before anything is stored."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from media_library.inspection import MediaRefusedError, inspect_local_file
from media_library.isolation import run_worker
from media_library.models import MediaAsset
from media_library.services.assets import media_asset_create
from tests.media_library import media

pytestmark = pytest.mark.django_db


def stored_files(workspace: Any) -> list[str]:
    root = f"workspaces/{workspace.pk}"
    if not default_storage.exists(root):
        return []
    found: list[str] = []
    for folder in ("media", "derived"):
        if default_storage.exists(f"{root}/{folder}"):
            found += default_storage.listdir(f"{root}/{folder}")[1]
    return found


def refuse(workspace: Any, path: Path, name: str | None = None) -> str:
    before = stored_files(workspace)
    with path.open("rb") as handle, pytest.raises(MediaRefusedError) as refusal:
        media_asset_create(
            workspace_id=workspace.pk, file=handle, original_filename=name or path.name
        )
    assert not MediaAsset.objects.exists()
    assert stored_files(workspace) == before
    return refusal.value.reason


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A loopback HTTP server that records every request it gets."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    hits.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield hits
    server.shutdown()


def test_an_empty_file_is_refused(workspace, tmp_path):
    reason = refuse(workspace, _write(tmp_path / "empty.mp4", b""))
    assert reason == "empty.mp4 is empty (0 bytes). Choose the original file."


def test_a_renamed_non_video_is_refused(workspace, tmp_path):
    # given: a PDF renamed to look like a video
    path = _write(tmp_path / "holiday.mp4", b"%PDF-1.7\n" + b"x" * 2000)
    # then
    assert refuse(workspace, path) == (
        "holiday.mp4 contains application/pdf, not a video (MP4, MOV, WebM) or a "
        "photo (JPEG, WebP, PNG). Choose the original media file."
    )


def test_a_truncated_mp4_is_refused(workspace, tmp_path, valid_video):
    # given: index at the end, cut off
    path = media.truncated(valid_video, tmp_path / "cut.mp4")
    # then
    assert "cut short" in refuse(workspace, path)


def test_a_truncated_mp4_with_its_index_first_is_refused(
    workspace, tmp_path, faststart_video
):
    # given: index intact, frames missing
    path = media.truncated(faststart_video, tmp_path / "cut-faststart.mp4")
    # then
    reason = refuse(workspace, path)
    assert reason.startswith("The file is cut short: it lists 30 frames but only")


def test_an_hls_playlist_named_like_a_video_is_refused(workspace, tmp_path, listener):
    # given
    base = listener[0]
    path = media.hls_playlist(
        tmp_path / "clip.mp4", targets=["file:///etc/passwd", f"{base}/internal"]
    )
    # then
    assert "not a video" in refuse(workspace, path)
    assert listener[1:] == []


@pytest.mark.parametrize("kind", ["hls", "concat"])
def test_a_playlist_behind_an_mp4_header_opens_nothing_else(
    workspace, tmp_path, listener, kind
):
    # given: bytes that pass for MP4 when sniffed, then a playlist that would
    # make FFmpeg's own detection open a local file and an internal URL
    base = listener[0]
    secret = _write(tmp_path / "secret.txt", b"top secret")
    if kind == "hls":
        body = f"#EXTM3U\n#EXTINF:1,\nfile://{secret}\n#EXTINF:1,\n{base}/internal\n"
    else:
        body = f"ffconcat version 1.0\nfile '{secret}'\nfile '{base}/internal'\n"
    path = _write(
        tmp_path / "sneaky.mp4",
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00" + body.encode(),
    )
    # when
    reason = refuse(workspace, path)
    # then: the forced mov demuxer read it as a broken MP4, and nothing was fetched
    assert "cut short" in reason or "could not be read" in reason
    assert listener[1:] == []


def test_the_probe_child_only_speaks_file_protocol(tmp_path, listener):
    # given: an HLS playlist handed straight to the child with the mov demuxer
    base = listener[0]
    path = media.hls_playlist(tmp_path / "p.m3u8", targets=[f"{base}/segment.ts"])
    request = {
        "path": str(path),
        "kind": "video",
        "demuxer": "mov",
        "memory_bytes": 1024**3,
        "cpu_seconds": 10,
        "max_pixels": 1_000_000,
        "cover_ms": 0,
        "thumbnail_px": 32,
        "cover_px": 32,
    }
    # when
    answer = run_worker("media_library.workers.probe", request, timeout_seconds=20)
    # then
    assert answer["ok"] is False
    assert listener[1:] == []


def test_the_probe_child_refuses_demuxers_it_does_not_know(tmp_path, valid_video):
    request = {
        "path": str(valid_video),
        "kind": "video",
        "demuxer": "hls",
        "memory_bytes": 1024**3,
        "cpu_seconds": 10,
        "max_pixels": 1_000_000,
        "cover_ms": 0,
        "thumbnail_px": 32,
        "cover_px": 32,
    }
    answer = run_worker("media_library.workers.probe", request, timeout_seconds=20)
    assert answer == {"ok": False, "reason": "No demuxer is allowed for 'hls'."}


def test_a_decompression_bomb_image_is_refused(workspace, tmp_path):
    # given: 400 bytes declaring ten billion pixels
    path = media.png_bomb(tmp_path / "bomb.png")
    # then
    assert refuse(workspace, path) == (
        "The image declares more pixels than the library allows (50 megapixels), a "
        "sign of a decompression bomb. Export it at a normal size."
    )


def test_a_polyglot_png_named_like_a_video_is_refused(workspace, tmp_path):
    path = media.polyglot_png(tmp_path / "clip.mp4")
    assert refuse(workspace, path) == (
        "clip.mp4 is named like a video but its content is a photo (image/png). "
        "Rename it to match what it is, or choose the right file."
    )


def test_a_png_carrying_html_after_the_image_is_refused(workspace, tmp_path):
    path = media.polyglot_png(tmp_path / "image.png")
    assert "carries other data after the image" in refuse(workspace, path)


def test_a_truncated_jpeg_is_refused(workspace, tmp_path, photo_jpeg):
    path = media.truncated(photo_jpeg, tmp_path / "cut.jpg", keep=0.5)
    assert refuse(workspace, path).startswith("The image is damaged or cut short")


def test_a_probe_that_runs_out_of_time_is_killed_and_refused(
    workspace, settings, valid_video
):
    # given: a deadline no real probe can meet
    settings.MEDIA_PROBE_TIMEOUT_SECONDS = 0.01
    # then
    assert refuse(workspace, valid_video) == (
        "Reading the file took longer than 0.01 seconds, which is typical of a "
        "damaged or hostile file. Export it again."
    )


def test_a_probe_that_runs_out_of_memory_is_refused(workspace, settings, valid_video):
    # given: an address-space cap the reader cannot live with
    settings.MEDIA_PROBE_MEMORY_LIMIT_MB = 30
    # then
    reason = refuse(workspace, valid_video)
    assert "memory" in reason or "stopped unexpectedly" in reason


def test_a_file_over_the_library_limit_is_refused_unread(workspace, settings, tmp_path):
    settings.MEDIA_MAX_FILE_BYTES = 1000
    path = _write(tmp_path / "big.mp4", b"\x00" * 2000)
    assert refuse(workspace, path).startswith("big.mp4 is 2,000 bytes, more than")


def test_an_audio_only_file_is_refused(workspace, tmp_path):
    # given: an MP4 container with sound and no picture
    import av

    path = tmp_path / "voice.mp4"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=44100)
        import numpy as np

        samples = np.zeros((1, 1024), dtype=np.float32)
        for index in range(20):
            frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
            frame.sample_rate, frame.pts = 44100, index * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    # then
    reason = refuse(workspace, path)
    assert "no video track" in reason or "not a video" in reason


def test_inspection_alone_never_touches_storage(tmp_path):
    path = _write(tmp_path / "notes.txt", b"hello")
    with pytest.raises(MediaRefusedError):
        inspect_local_file(path, original_filename="notes.txt")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
