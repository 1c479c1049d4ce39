"""Run a media worker (``media_library.workers.*``) in a limited child process.

The child gets a wall-clock deadline here and its own memory, CPU, file-size and
open-file limits (set inside it before FFmpeg loads), a fresh session so the whole
process group can be killed, and an environment with nothing in it but a path:
no Django settings, no secrets.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The probe's answer carries two JPEG previews in base64; nothing legitimate
# comes near this, and a longer line is not read into memory.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
STDERR_TAIL_BYTES = 2000


class WorkerError(Exception):
    """The child did not answer: it crashed, was killed, or ran out of time."""


class WorkerTimeoutError(WorkerError):
    pass


def run_worker(
    module: str,
    request: dict[str, Any],
    *,
    timeout_seconds: float,
    on_progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Send ``request`` to ``python -m module``; return its final message.

    Raises ``WorkerTimeoutError`` past the deadline and ``WorkerError`` when the
    child exits without a final ``{"ok": ...}`` message.
    """
    environment = worker_environment()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)  # nosec B603
            [sys.executable, "-s", "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=environment,
            cwd=tempfile.gettempdir(),
            start_new_session=True,
        )
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _kill_group(process)

        timer = threading.Timer(timeout_seconds, expire)
        timer.start()
        try:
            final = _converse(process, request, on_progress)
        finally:
            timer.cancel()
            if process.poll() is None:
                _kill_group(process)
            process.wait()
        if expired.is_set():
            raise WorkerTimeoutError(f"{module} ran past {timeout_seconds:g} s")
        if final is None:
            stderr.seek(0, os.SEEK_END)
            stderr.seek(max(0, stderr.tell() - STDERR_TAIL_BYTES))
            tail = stderr.read().decode("utf-8", "replace").strip()
            raise WorkerError(
                f"{module} exited with status {process.returncode}: {tail[-500:]}"
            )
        return final


def worker_environment() -> dict[str, str]:
    """The whole environment a media worker gets: a path, and no settings or secrets."""
    return {
        "PATH": os.defpath,
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LC_ALL": "C.UTF-8",
    }


def _converse(
    process: subprocess.Popen[bytes],
    request: dict[str, Any],
    on_progress: Callable[[float], None] | None,
) -> dict[str, Any] | None:
    if process.stdin is None or process.stdout is None:
        return None
    try:
        process.stdin.write(json.dumps(request).encode())
        process.stdin.close()
    except BrokenPipeError:
        return None
    final = None
    while line := process.stdout.readline(MAX_MESSAGE_BYTES):
        if not line.endswith(b"\n"):
            return None
        try:
            message = json.loads(line)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        if "ok" in message:
            final = message
        elif "progress" in message and on_progress is not None:
            on_progress(float(message["progress"]))
    return final


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
