"""Shared by the child processes that open untrusted media files.

These modules run as ``python -m media_library.workers.<name>`` and never import
Django: a file that exploits a demuxer or decoder finds no settings, secrets or
database connection in the process, and the process has hard limits on memory,
CPU time, open files and file size, set before FFmpeg or Pillow is loaded.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import IO, Any

# A path (the one-child-per-file probe) or the number of an already open file
# descriptor (the fork server's children, which cannot open anything themselves).
Source = str | int

# The demuxers a sniffed type may be opened with, and the only formats FFmpeg may
# use inside them. Forcing the demuxer means a playlist (HLS, concat, ffconcat) or
# any other format that opens further files or URLs is never even parsed.
DEMUXERS = {
    "mov": ("mov", "mov,mp4,m4a,3gp,3g2,mj2"),
    "matroska": ("matroska", "matroska,webm"),
}
REQUEST_MAX_BYTES = 64 * 1024


class RefusedError(Exception):
    """The file is not something Postdeck can use; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_request() -> dict[str, Any]:
    request = json.loads(sys.stdin.buffer.read(REQUEST_MAX_BYTES))
    if not isinstance(request, dict):
        raise SystemExit("The request must be a JSON object.")
    return request


def apply_limits(
    *, memory_bytes: int, cpu_seconds: int, file_size_bytes: int, open_files: int
) -> None:
    """Cap this process; exceeding a cap kills it or fails the allocation.

    ``open_files`` caps descriptor numbers: a process may hold none numbered at
    or above it, so a child whose descriptors ``0 .. open_files - 1`` are all in
    use can open no path, socket or pipe at all (``probe_server`` relies on it).
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The soft limit sends SIGXCPU (fatal by default), the hard one SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def peak_rss_kib(status_fd: int | None = None) -> int:
    """This process's peak resident memory in KiB.

    ``VmHWM`` belongs to the address space created by exec; ``ru_maxrss`` on
    Linux also remembers the parent's memory from before the exec, which would
    make a small child look as large as the web process that started it.
    ``status_fd`` is ``/proc/self/status`` opened before opening was forbidden.
    """
    try:
        if status_fd is None:
            with open("/proc/self/status", encoding="ascii") as status:
                text = status.read()
        else:
            text = os.pread(status_fd, 8192, 0).decode("ascii", "replace")
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def open_video(source: Source, demuxer: str) -> Any:
    """Open ``source`` with the given demuxer and nothing else, or refuse."""
    import av

    if demuxer not in DEMUXERS:
        raise RefusedError(f"No demuxer is allowed for {demuxer!r}.")
    format_name, allowed_formats = DEMUXERS[demuxer]
    options = {
        # Only the file itself: no http, tcp, crypto, data, concat or subfile.
        "protocol_whitelist": "file",
        "format_whitelist": allowed_formats,
    }
    if format_name == "mov":
        # External data references ("dref" atoms) would make the mov demuxer open
        # other files; they are off by default, and stay off here on purpose.
        options |= {"enable_drefs": "0", "use_absolute_path": "0"}
    try:
        # "file:" stops FFmpeg from reading a protocol out of the name itself.
        target = "file:" + source if isinstance(source, str) else open_source(source)
        return av.open(target, mode="r", format=format_name, options=options)
    except av.FFmpegError as error:
        if format_name == "mov" and "moov" not in top_level_boxes(source):
            raise RefusedError(MISSING_INDEX) from error
        raise RefusedError(describe_ffmpeg_error(error)) from error


def open_source(source: Source) -> IO[bytes]:
    """A fresh binary reader at the start of ``source``, for the caller to close.

    A descriptor is rewound and wrapped without taking ownership, so each reader
    (PyAV, Pillow, the box and chunk scanners) has its own buffer and closing one
    leaves the descriptor open for the next.
    """
    if isinstance(source, str):
        return open(source, "rb")
    os.lseek(source, 0, os.SEEK_SET)
    return open(source, "rb", closefd=False)


def top_level_boxes(source: Source, *, limit: int = 10_000) -> list[str]:
    """The types of an MP4/MOV file's top-level boxes, read from their headers."""
    found: list[str] = []
    with open_source(source) as handle:
        handle.seek(0, 2)
        end = handle.tell()
        position = 0
        while position + 8 <= end and len(found) < limit:
            handle.seek(position)
            header = handle.read(16)
            size = int.from_bytes(header[:4], "big")
            found.append(header[4:8].decode("latin-1"))
            if size == 1 and len(header) == 16:
                size = int.from_bytes(header[8:16], "big")
            elif size == 0:
                break
            if size < 8:
                break
            position += size
    return found


MISSING_INDEX = (
    "The file is cut short (its index is missing), so it cannot be played. "
    "Export or download it again."
)


def describe_ffmpeg_error(error: Exception) -> str:
    message = str(getattr(error, "strerror", "") or error).strip()
    if "moov atom not found" in message or "End of file" in message:
        return MISSING_INDEX
    return (
        f"The file could not be read as a video ({message or 'unknown error'}). "
        "Export it again as MP4 (H.264)."
    )
