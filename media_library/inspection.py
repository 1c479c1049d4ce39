"""Reading an untrusted file before anything is stored: fingerprint, type, probe.

Every way into the library (admin upload, ``import_media``, conversions, the
demo seed) goes through ``inspect_stream`` or ``inspect_local_file``. A file that
is empty, is not a video or photo by its bytes, cannot be opened, is cut short,
or makes the reader misbehave raises ``MediaRefusedError`` with a sentence that
says why; a file that is readable but outside TikTok's rules comes back with
those rules' sentences in ``problems`` and is stored, marked not ready.

``InspectedMedia.details`` (stored as ``MediaAsset.probe_details``) is the
probe's JSON plus, for a video, the frame rate decided from it
(``media_library.framerate``):

- ``frame_rate``: the rate, ``"60/1"``; ``MediaAsset.frame_rate`` is its float.
- ``variable_frame_rate``: True when the timestamps show spans at different
  rates, whatever the header says.
- ``min_fps`` / ``max_fps``: the slowest and fastest rate over any 10 frames.
- ``fps_rounding``: the relative error the time base's rounding allows in them.
- ``nominal_frame_rates`` and ``timestamps``: what the header said and what the
  timestamps measured, from which the above are decided.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

from media_library.forkserver import probe_in_fork_server
from media_library.framerate import frame_rate_from_details
from media_library.isolation import WorkerError, WorkerTimeoutError, run_worker
from media_library.storage import local_path_of_stream
from media_library.validation import MediaFacts, tiktok_problems

logger = logging.getLogger(__name__)

HASH_BLOCK_SIZE = 1024 * 1024
SNIFF_BYTES = 8192
# Sniffed type -> the one FFmpeg demuxer allowed to open it (workers.common).
VIDEO_DEMUXER_FOR_MIME_TYPE = {
    "video/mp4": "mov",
    "video/quicktime": "mov",
    "video/x-m4v": "mov",
    "video/3gpp": "mov",
    "video/webm": "matroska",
    "video/x-matroska": "matroska",
}
VIDEO_MIME_TYPES = frozenset(VIDEO_DEMUXER_FOR_MIME_TYPE)
PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/webp", "image/png"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".webm", ".mkv", ".3gp"})
PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp"})
THUMBNAIL_PX = 320
COVER_PX = 1280


class MediaRefusedError(ValidationError):
    """The library will not store this file; ``reason`` is a sentence saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code="refused")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FileFingerprint:
    sha256: str
    size_bytes: int
    mime_type: str


@dataclass(frozen=True, slots=True)
class InspectedMedia:
    """A readable file: what it is, what TikTok would say, and its previews."""

    fingerprint: FileFingerprint
    kind: str
    facts: MediaFacts
    problems: tuple[str, ...]
    details: dict[str, Any] = field(repr=False)
    thumbnail_jpeg: bytes = field(repr=False)
    cover_jpeg: bytes | None = field(repr=False)
    cover_timestamp_ms: int
    peak_rss_kib: int

    @property
    def is_tiktok_ready(self) -> bool:
        return not self.problems


def fingerprint_file(stream: IO[bytes]) -> FileFingerprint:
    """Hash and sniff a file in fixed-size blocks; the file is never read whole."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    digest = hashlib.sha256(head)
    size = len(head)
    while block := stream.read(HASH_BLOCK_SIZE):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    kind = filetype.guess(head)
    return FileFingerprint(
        sha256=digest.hexdigest(),
        size_bytes=size,
        mime_type=kind.mime if kind else "application/octet-stream",
    )


def media_kind_of(fingerprint: FileFingerprint, original_filename: str) -> str:
    """``"video"`` or ``"photo"`` from the bytes, or ``MediaRefusedError``."""
    name = PurePath(original_filename).name or "The file"
    if fingerprint.size_bytes == 0:
        raise MediaRefusedError(f"{name} is empty (0 bytes). Choose the original file.")
    max_bytes = settings.MEDIA_MAX_FILE_BYTES
    if fingerprint.size_bytes > max_bytes:
        raise MediaRefusedError(
            f"{name} is {fingerprint.size_bytes:,} bytes, more than the library's "
            f"limit of {max_bytes:,}. Export it at a lower bit rate or shorter length."
        )
    mime_type = fingerprint.mime_type
    if mime_type in VIDEO_MIME_TYPES:
        kind = "video"
    elif mime_type in PHOTO_MIME_TYPES:
        kind = "photo"
    else:
        raise MediaRefusedError(
            f"{name} contains {_describe_mime(mime_type)}, not a video (MP4, MOV, "
            "WebM) or a photo (JPEG, WebP, PNG). Choose the original media file."
        )
    extension = PurePath(original_filename).suffix.lower()
    claimed = (
        "video"
        if extension in VIDEO_EXTENSIONS
        else "photo"
        if extension in PHOTO_EXTENSIONS
        else None
    )
    if claimed is not None and claimed != kind:
        # A photo dressed as a video (or the reverse) is how polyglot files get
        # past checks that trust the name; a genuine file never needs it.
        raise MediaRefusedError(
            f"{name} is named like a {claimed} but its content is a {kind} "
            f"({mime_type}). Rename it to match what it is, or choose the right file."
        )
    return kind


def inspect_stream(
    stream: IO[bytes],
    *,
    original_filename: str,
    fingerprint: FileFingerprint | None = None,
    cover_timestamp_ms: int = 0,
) -> InspectedMedia:
    """Fingerprint, sniff and probe an open file (upload, download, stored copy)."""
    if fingerprint is None:
        fingerprint = fingerprint_file(stream)
    kind = media_kind_of(fingerprint, original_filename)
    with local_path_of_stream(stream, max_bytes=settings.MEDIA_MAX_FILE_BYTES) as path:
        return _probe(path, fingerprint, kind, cover_timestamp_ms)


def inspect_local_file(
    path: Path,
    *,
    original_filename: str,
    fingerprint: FileFingerprint | None = None,
    cover_timestamp_ms: int = 0,
) -> InspectedMedia:
    """Like ``inspect_stream`` for a file already on local disk."""
    if fingerprint is None:
        with path.open("rb") as handle:
            fingerprint = fingerprint_file(handle)
    kind = media_kind_of(fingerprint, original_filename)
    return _probe(path, fingerprint, kind, cover_timestamp_ms)


def _probe(
    path: Path, fingerprint: FileFingerprint, kind: str, cover_timestamp_ms: int
) -> InspectedMedia:
    timeout = float(settings.MEDIA_PROBE_TIMEOUT_SECONDS)
    request = {
        "kind": kind,
        "demuxer": VIDEO_DEMUXER_FOR_MIME_TYPE.get(fingerprint.mime_type),
        "memory_bytes": settings.MEDIA_PROBE_MEMORY_LIMIT_MB * 1024 * 1024,
        "cpu_seconds": max(1, math.ceil(timeout)),
        "max_pixels": settings.MEDIA_PHOTO_MAX_PIXELS,
        "cover_ms": max(0, cover_timestamp_ms),
        "thumbnail_px": THUMBNAIL_PX,
        "cover_px": COVER_PX,
    }
    try:
        if settings.MEDIA_PROBE_FORK_SERVER:
            answer = probe_in_fork_server(request, path, timeout_seconds=timeout)
        else:
            answer = run_worker(
                "media_library.workers.probe",
                {**request, "path": str(path)},
                timeout_seconds=timeout,
            )
    except WorkerTimeoutError as error:
        raise MediaRefusedError(
            f"Reading the file took longer than {timeout:g} seconds, which is typical "
            "of a damaged or hostile file. Export it again."
        ) from error
    except (WorkerError, OSError) as error:
        logger.warning("Media probe stopped: %s", error)
        raise MediaRefusedError(
            "The file could not be read: the reader stopped unexpectedly, which is "
            "typical of a damaged or hostile file. Export it again."
        ) from error
    if not answer.get("ok"):
        raise MediaRefusedError(str(answer.get("reason") or "The file is unreadable."))
    details = answer.get("facts")
    if not isinstance(details, dict):
        details = {}
    if kind == "video":
        details.update(frame_rate_from_details(details).as_details())
    facts = media_facts_from_probe(fingerprint, kind, details)
    return InspectedMedia(
        fingerprint=fingerprint,
        kind=kind,
        facts=facts,
        problems=tuple(tiktok_problems(facts)),
        details=details,
        thumbnail_jpeg=_decode_jpeg(answer.get("thumbnail")) or b"",
        cover_jpeg=_decode_jpeg(answer.get("cover")),
        cover_timestamp_ms=_int(answer.get("cover_ms")) or 0,
        peak_rss_kib=_int(answer.get("peak_rss_kib")) or 0,
    )


def media_facts_from_probe(
    fingerprint: FileFingerprint, kind: str, details: dict[str, Any]
) -> MediaFacts:
    """Build the rules' input from the probe's JSON, trusting no field's type."""
    reading = frame_rate_from_details(details)
    return MediaFacts(
        kind=kind,
        mime_type=fingerprint.mime_type,
        size_bytes=fingerprint.size_bytes,
        container=_text(details.get("container")),
        video_codec=_text(details.get("video_codec")),
        audio_codec=_text(details.get("audio_codec")),
        video_stream_count=_int(details.get("video_stream_count")) or 0,
        audio_stream_count=_int(details.get("audio_stream_count")) or 0,
        duration_seconds=_float(details.get("duration_seconds")),
        frame_rate=reading.rate,
        variable_frame_rate=reading.variable,
        min_frame_rate=reading.min_fps,
        max_frame_rate=reading.max_fps,
        frame_rate_rounding=reading.rounding,
        width=_int(details.get("width")),
        height=_int(details.get("height")),
        rotation=_int(details.get("rotation")) or 0,
        bit_rate=_int(details.get("bit_rate")),
        image_format=_text(details.get("image_format")),
        exif_orientation=_int(details.get("exif_orientation")),
    )


def _describe_mime(mime_type: str) -> str:
    if mime_type == "application/octet-stream":
        return "data of an unrecognised type"
    return mime_type


def _decode_jpeg(value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _text(value: object) -> str:
    return value[:100] if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if math.isfinite(value) else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
