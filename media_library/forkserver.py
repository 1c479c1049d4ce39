"""Probe files through a pre-started fork server instead of a new process each.

Starting Python and loading FFmpeg costs about 70 ms, which a one-child-per-file
probe (``media_library.isolation.run_worker``) pays for every file. Here one
server process per web or worker process (``media_library.workers.probe_server``)
pays it once and forks a fresh, limited child per file. The isolation is the
same as ``run_worker``'s, and tighter on one point: the child is handed the
file as an open descriptor and can open nothing else at all. See
``docs/media-probe-pool.md``.

The server is started on first use, restarted when it has died (or when this
process is a fork of the one that started it), and ends when this process does.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from media_library.isolation import (
    MAX_MESSAGE_BYTES,
    STDERR_TAIL_BYTES,
    WorkerError,
    WorkerTimeoutError,
    worker_environment,
)

SERVER_MODULE = "media_library.workers.probe_server"
READ_CHUNK_BYTES = 1024 * 1024


class ForkServer:
    """One running ``probe_server`` and the socket that feeds it requests.

    Thread-safe: any number of threads may call ``probe`` at once; each gets
    its own child, answer pipe and error file.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._owner_pid = 0

    def probe(
        self, request: dict[str, Any], path: Path, *, timeout_seconds: float
    ) -> dict[str, Any]:
        """Probe the file at ``path``; return the child's final ``{"ok": ...}``.

        ``request`` holds the probe's fields (``media_library.workers.probe.
        answer``) plus ``memory_bytes`` and ``cpu_seconds``, without a path.
        Raises ``WorkerTimeoutError`` past ``timeout_seconds`` (the child is
        killed) and ``WorkerError`` when the child ends without an answer;
        ``OSError`` when the file cannot be opened here.
        """
        deadline = time.monotonic() + timeout_seconds
        message = json.dumps({**request, "timeout_seconds": timeout_seconds}).encode()
        with path.open("rb") as media, tempfile.TemporaryFile() as errors:
            read_end, write_end = os.pipe()
            try:
                try:
                    self._send(message, [media.fileno(), write_end, errors.fileno()])
                finally:
                    os.close(write_end)
                final = _read_answer(read_end, deadline)
            finally:
                os.close(read_end)
            if final is not None:
                return final
            if time.monotonic() >= deadline:
                raise WorkerTimeoutError(f"the probe ran past {timeout_seconds:g} s")
            errors.seek(0, os.SEEK_END)
            errors.seek(max(0, errors.tell() - STDERR_TAIL_BYTES))
            tail = errors.read().decode("utf-8", "replace").strip()
            raise WorkerError(f"the probe child ended without an answer: {tail[-500:]}")

    def stop(self) -> None:
        """Close the socket (the server then exits) and kill its process group."""
        with self._lock:
            self._stop_locked()

    def _send(self, message: bytes, fds: list[int]) -> None:
        with self._lock:
            for attempt in range(2):
                if not self._running():
                    self._stop_locked()
                    self._start_locked()
                assert self._socket is not None  # noqa: S101 (set by _start_locked)
                try:
                    socket.send_fds(self._socket, [message], fds)
                    return
                except OSError as error:
                    self._stop_locked()
                    if attempt:
                        raise WorkerError(
                            f"the probe server is unreachable: {error}"
                        ) from error

    def _running(self) -> bool:
        return (
            self._process is not None
            and self._owner_pid == os.getpid()
            and self._process.poll() is None
        )

    def _start_locked(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)  # nosec B603
                [sys.executable, "-s", "-m", SERVER_MODULE],
                stdin=theirs.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=worker_environment(),
                cwd=tempfile.gettempdir(),
                start_new_session=True,
            )
        finally:
            theirs.close()
        self._socket = ours
        self._owner_pid = os.getpid()

    def _stop_locked(self) -> None:
        if self._socket is not None and self._owner_pid == os.getpid():
            self._socket.close()
        self._socket = None
        process, self._process = self._process, None
        if process is not None and self._owner_pid == os.getpid():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _read_answer(fd: int, deadline: float) -> dict[str, Any] | None:
    """Read the child's lines until it closes the pipe; the last ``ok`` one.

    Raises ``WorkerTimeoutError`` when ``deadline`` (``time.monotonic``)
    passes first; an answer over ``MAX_MESSAGE_BYTES`` counts as none.
    """
    received = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WorkerTimeoutError("the probe ran out of time")
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            raise WorkerTimeoutError("the probe ran out of time")
        chunk = os.read(fd, READ_CHUNK_BYTES)
        if not chunk:
            break
        received += chunk
        if len(received) > MAX_MESSAGE_BYTES:
            return None
    final = None
    for line in bytes(received).splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            return None
        if isinstance(message, dict) and "ok" in message:
            final = message
    return final


_server = ForkServer()
atexit.register(_server.stop)


def probe_in_fork_server(
    request: dict[str, Any], path: Path, *, timeout_seconds: float
) -> dict[str, Any]:
    """``ForkServer.probe`` on this process's shared server (started if needed)."""
    return _server.probe(request, path, timeout_seconds=timeout_seconds)
