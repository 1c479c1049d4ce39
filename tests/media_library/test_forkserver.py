"""The probe fork server: same answers as a child per file, one file per child."""

from __future__ import annotations

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from media_library import forkserver
from media_library.forkserver import ForkServer
from media_library.isolation import WorkerTimeoutError, run_worker
from media_library.workers import probe_server

REQUEST = {
    "kind": "video",
    "demuxer": "mov",
    "memory_bytes": 1024**3,
    "cpu_seconds": 20,
    "max_pixels": 50_000_000,
    "cover_ms": 0,
    "thumbnail_px": 32,
    "cover_px": 32,
}


@pytest.fixture
def server():
    running = ForkServer()
    yield running
    running.stop()


def test_the_fork_server_answers_like_a_child_per_file(server, valid_video):
    # when
    pooled = server.probe(REQUEST, valid_video, timeout_seconds=20)
    alone = run_worker(
        "media_library.workers.probe",
        {**REQUEST, "path": str(valid_video)},
        timeout_seconds=20,
    )
    # then: the same facts and previews, whichever way the file was read
    assert pooled["ok"] is True
    assert pooled["facts"] == alone["facts"]
    assert pooled["thumbnail"] == alone["thumbnail"]


def test_a_photo_is_read_from_the_descriptor_alone(server, photo_jpeg):
    answer = server.probe(
        {**REQUEST, "kind": "photo", "demuxer": None}, photo_jpeg, timeout_seconds=20
    )
    assert answer["ok"] is True
    assert answer["facts"]["image_format"] == "JPEG"


def test_many_threads_probe_at_once(server, valid_video, photo_jpeg):
    jobs = [(REQUEST, valid_video), ({**REQUEST, "kind": "photo"}, photo_jpeg)] * 6
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda job: server.probe(*job, timeout_seconds=30), jobs)
        )
    assert [answer["ok"] for answer in answers] == [True] * len(jobs)
    assert {answer["facts"].get("video_codec") for answer in answers[::2]} == {"h264"}


def test_a_child_past_its_deadline_is_killed_and_the_server_goes_on(
    server, valid_video
):
    with pytest.raises(WorkerTimeoutError):
        server.probe(REQUEST, valid_video, timeout_seconds=0.001)
    assert server.probe(REQUEST, valid_video, timeout_seconds=20)["ok"] is True


def test_a_dead_server_is_started_again(server, valid_video):
    server.probe(REQUEST, valid_video, timeout_seconds=20)
    process = server._process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # then: the next probe starts a new server rather than failing
    assert server.probe(REQUEST, valid_video, timeout_seconds=20)["ok"] is True
    assert server._process is not None and server._process.pid != process.pid


def test_the_shared_server_is_what_inspection_uses(settings, valid_video):
    from media_library.inspection import inspect_local_file

    settings.MEDIA_PROBE_FORK_SERVER = True
    inspect_local_file(valid_video, original_filename="valid.mp4")
    assert forkserver._server._running()


def test_a_probe_child_can_read_its_file_and_open_nothing_else(
    monkeypatch, tmp_path, valid_video
):
    # given: the child's code, with the probe replaced by one that tries to
    # open another file and a socket, as a hostile demuxer reference would
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")

    def hostile(request: dict[str, Any], source: int, status_fd: int) -> dict:
        head = os.pread(source, 12, 0)
        attempts = {}
        for name, attempt in {
            "path": lambda: open(secret, "rb"),  # noqa: SIM115
            "proc": lambda: open("/proc/self/environ", "rb"),  # noqa: SIM115
            "socket": lambda: __import__("socket").socket(),
            "pipe": os.pipe,
        }.items():
            try:
                attempt()
                attempts[name] = "opened"
            except OSError as error:
                attempts[name] = os.strerror(error.errno or 0)
        return {"ok": True, "head": head.hex(), "attempts": attempts}

    monkeypatch.setattr(probe_server, "answer", hostile)
    answer = _run_child(valid_video, tmp_path)
    # then
    assert bytes.fromhex(answer["head"])[4:8] == b"ftyp"
    assert answer["attempts"] == dict.fromkeys(
        ["path", "proc", "socket", "pipe"], "Too many open files"
    )


def _run_child(path: Path, tmp_path: Path) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    errors = os.open(tmp_path / "errors.txt", os.O_RDWR | os.O_CREAT)
    media = os.open(path, os.O_RDONLY)
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the forked child)
        probe_server._child(
            {**REQUEST, "memory_bytes": 64 * 1024**3}, media, write_end, errors
        )
    os.close(write_end)
    os.close(media)
    with os.fdopen(read_end, "rb") as reply:
        output = reply.read()
    os.waitpid(pid, 0)
    os.close(errors)
    assert output, (tmp_path / "errors.txt").read_text()
    return json.loads(output)
