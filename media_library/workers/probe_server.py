"""Fork server: load FFmpeg and Pillow once, then fork one limited child per file.

Started by ``media_library.forkserver`` as ``python -m
media_library.workers.probe_server`` in the same empty environment and fresh
session as every media worker, with its end of a ``SOCK_SEQPACKET`` Unix socket
on descriptor 0. The server itself never reads a byte of an untrusted file. Each
message on the socket is one probe request (JSON, the fields of
``media_library.workers.probe.answer`` plus ``timeout_seconds``) carrying three
descriptors: the file (opened read-only by the parent), the write end of a pipe
for the answer, and a file for the child's error output.

For each request the server forks. The child, a fresh copy of a process that has
touched no untrusted data, arranges its descriptors as 0 = the file, 1 = the
answer pipe, 2 = error output, 3 = its own ``/proc/self/status``, closes every
other one, then applies the probe's memory, CPU and file-size caps and an open
files cap of 4: with every descriptor number below the cap in use, ``open()``
fails with EMFILE, so the only file the child can read is the one it was given.
It probes that file, writes one JSON line and exits; no child sees two files.
The server kills a child still running a moment after its deadline (the parent
stops waiting at the deadline itself) and exits when the parent closes the
socket, killing any child left.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import select
import signal
import socket
import sys
import time
from typing import Any

from media_library.workers.common import apply_limits
from media_library.workers.probe import NEEDS_MORE_MEMORY, answer

REQUEST_MAX_BYTES = 64 * 1024
DESCRIPTORS_PER_REQUEST = 3
KEPT_DESCRIPTORS = 4  # file, answer pipe, error output, /proc/self/status
KILL_GRACE_SECONDS = 0.5
MAX_DESCRIPTOR = 65536
MIN_HEADROOM_BYTES = 64 * 1024 * 1024


def main() -> None:
    control = socket.socket(fileno=0)
    apply_limits_to_server()
    warm_up()
    # Children are short-lived copies: move what warm_up loaded out of the
    # collector's reach, so its passes in a child do not write to (and so
    # copy) the pages shared with this server.
    gc.freeze()
    children: dict[int, float] = {}
    while True:
        wait = _next_wait(children)
        readable, _, _ = select.select([control], [], [], wait)
        _reap(children)
        if not readable:
            continue
        try:
            data, fds, flags, _ = socket.recv_fds(
                control, REQUEST_MAX_BYTES, DESCRIPTORS_PER_REQUEST
            )
        except OSError:
            data, fds, flags = b"", [], 0
        if not data:
            # The parent is gone: nobody will read these children's answers.
            for pid in children:
                _kill(pid)
            return
        request = _parse(data)
        if (
            request is None
            or len(fds) != DESCRIPTORS_PER_REQUEST
            or flags & (socket.MSG_CTRUNC | socket.MSG_TRUNC)
        ):
            for fd in fds:
                os.close(fd)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request, *fds)
        for fd in fds:
            os.close(fd)
        timeout = float(request.get("timeout_seconds", 0))
        children[pid] = time.monotonic() + timeout + KILL_GRACE_SECONDS


def apply_limits_to_server() -> None:
    """The server reads no media, so it needs no large caps; no core dumps."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def warm_up() -> None:
    """Probe a tiny video and photo made in memory, before any fork.

    Every module and codec the probe loads lazily is loaded here, once, so a
    child never needs to open a file to import something after it has lost the
    ability to open files.
    """
    import av
    from PIL import Image

    Image.init()
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for index in range(3):
            frame = av.VideoFrame(32, 32, "yuv420p")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    photos = {}
    for image_format in ("JPEG", "PNG", "WEBP"):
        encoded = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(encoded, format=image_format)
        photos[image_format] = encoded.getvalue()
    samples = [("video", "mov", buffer.getvalue())] + [
        ("photo", None, data) for data in photos.values()
    ]
    for kind, demuxer, data in samples:
        fd = os.memfd_create("postdeck-warm-up")
        try:
            os.write(fd, data)
            request = {
                "kind": kind,
                "demuxer": demuxer,
                "cover_ms": 0,
                "thumbnail_px": 16,
                "cover_px": 16,
                "max_pixels": 1_000_000,
            }
            answer(request, fd)
        finally:
            os.close(fd)


def _child(request: dict[str, Any], file_fd: int, reply_fd: int, error_fd: int) -> None:
    status = 0
    # One probe, then exit: a collection here would only copy shared pages.
    gc.disable()
    try:
        status_fd = os.open("/proc/self/status", os.O_RDONLY)
        os.dup2(file_fd, 0)
        os.dup2(reply_fd, 1)
        os.dup2(error_fd, 2)
        os.dup2(status_fd, 3)
        os.closerange(KEPT_DESCRIPTORS, MAX_DESCRIPTOR)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        apply_limits(
            memory_bytes=int(request["memory_bytes"]),
            cpu_seconds=int(request["cpu_seconds"]),
            file_size_bytes=0,
            open_files=KEPT_DESCRIPTORS,
        )
        if _address_space_bytes(3) + MIN_HEADROOM_BYTES > int(request["memory_bytes"]):
            # A forked child starts with FFmpeg already mapped; a cap below that
            # fails the first allocation as a misleading "invalid data" error.
            _reply({"ok": False, "reason": NEEDS_MORE_MEMORY})
        else:
            _reply(answer(request, 0, status_fd=3))
    except BaseException as error:  # noqa: BLE001 (the child must always exit here)
        status = 1
        with contextlib.suppress(OSError):
            os.write(2, f"probe child failed: {error!r}\n".encode()[:2000])
    finally:
        os._exit(status)


def _reply(message: dict[str, Any]) -> None:
    data = memoryview((json.dumps(message) + "\n").encode())
    while data:
        data = data[os.write(1, data) :]


def _address_space_bytes(status_fd: int) -> int:
    text = os.pread(status_fd, 8192, 0).decode("ascii", "replace")
    for line in text.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _parse(data: bytes) -> dict[str, Any] | None:
    try:
        request = json.loads(data)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


def _next_wait(children: dict[int, float]) -> float:
    if not children:
        return 5.0
    return max(0.0, min(1.0, min(children.values()) - time.monotonic()))


def _reap(children: dict[int, float]) -> None:
    now = time.monotonic()
    for pid, deadline in list(children.items()):
        overdue = deadline <= now
        if overdue:
            _kill(pid)
        try:
            done, _ = os.waitpid(pid, 0 if overdue else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            del children[pid]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
