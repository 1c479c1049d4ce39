"""The chunk PUT to ``upload_url`` (docs/tiktok.md §4.6).

Chunks are appended to a file under VAR_DIR/sandbox/uploads while the
Content-Range is checked exactly against what has arrived. When the last byte
is in, the file is hashed by streaming it, the size and SHA-256 are stored, and
the bytes are deleted: a 1 GiB benchmark leaves nothing behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Final, Protocol

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from tiktok_sandbox import rules
from tiktok_sandbox.errors import SandboxUploadError
from tiktok_sandbox.models import SandboxPublish
from tiktok_sandbox.services.defaults import sandbox_settings_get
from tiktok_sandbox.services.tokens import hash_secret

BLOCK_BYTES: Final = 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ChunkReceipt:
    """A 206 (more expected) or 201 (all bytes in) answer."""

    http_status: int
    uploaded_bytes: int
    total: int


def upload_directory() -> Path:
    return Path(settings.VAR_DIR) / "sandbox" / "uploads"


def upload_path(publish: SandboxPublish) -> Path:
    name = publish.upload_id.hex if publish.upload_id else publish.publish_id
    return upload_directory() / f"{name}.part"


def sandbox_upload_target(*, upload_id: str, upload_token: str) -> SandboxPublish:
    """The publish an upload URL belongs to. Raises SandboxUploadError 404."""
    try:
        parsed = uuid.UUID(hex=upload_id)
    except ValueError:
        raise SandboxUploadError(404, "No upload task for this URL.") from None
    publish = (
        SandboxPublish.objects.select_related("creator")
        .filter(upload_id=parsed)
        .first()
    )
    if publish is None or not hmac.compare_digest(
        hash_secret(upload_token), publish.upload_token_hash
    ):
        raise SandboxUploadError(404, "No upload task for this URL.")
    return publish


def chunk_number_for(publish: SandboxPublish, first_byte: int) -> int | None:
    """Which chunk (counting from 1) a PUT starting at ``first_byte`` would be."""
    if not publish.chunk_size or not publish.total_chunk_count:
        return None
    return min(first_byte // publish.chunk_size, publish.total_chunk_count - 1) + 1


def sandbox_upload_chunk(
    *,
    publish: SandboxPublish,
    content_range: str | None,
    content_length: str | None,
    content_type: str,
    body: Readable,
    now: datetime | None = None,
) -> ChunkReceipt:
    """Receive one chunk.

    Raises SandboxUploadError: 403 upload URL expired, 400 bad headers or a body
    that does not match Content-Length, 416 a range that does not continue the
    upload exactly (the error carries the bytes received so far).
    """
    now = now or timezone.now()
    expires_at = publish.upload_url_expires_at
    if expires_at is None or expires_at <= now:
        raise SandboxUploadError(403, "The upload URL has expired.")
    if content_type not in rules.UPLOAD_CONTENT_TYPES:
        raise SandboxUploadError(
            400, "Content-Type must be video/mp4, video/quicktime or video/webm."
        )
    requested = rules.parse_content_range(content_range)
    if requested is None:
        raise SandboxUploadError(
            400, "Content-Range must read 'bytes first-last/total'."
        )
    if not (content_length or "").isdigit():
        raise SandboxUploadError(400, "Content-Length is required.")
    length = int(content_length or "0")
    if length != requested.length:
        raise SandboxUploadError(400, "Content-Length does not match Content-Range.")

    # Checked before the file is touched, so a refused chunk leaves nothing on
    # disk, and again under the lock, where it counts.
    _check_range(publish=publish, requested=requested)
    path = upload_path(publish)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "r+b") as handle:
        # One chunk at a time per upload, across threads and processes.
        fcntl.flock(handle, fcntl.LOCK_EX)
        publish.refresh_from_db()
        try:
            total = _check_range(publish=publish, requested=requested)
        except SandboxUploadError:
            if publish.bytes_received in (0, publish.video_size):
                path.unlink(missing_ok=True)
            raise
        return _receive(
            publish=publish,
            path=path,
            handle=handle,
            requested=requested,
            total=total,
            body=body,
            now=now,
        )


def _check_range(*, publish: SandboxPublish, requested: rules.ContentRange) -> int:
    """The declared total, if ``requested`` is exactly the next chunk; raises
    SandboxUploadError 416 (carrying the progress) otherwise."""
    if (
        publish.video_size is None
        or publish.chunk_size is None
        or publish.total_chunk_count is None
    ):
        raise SandboxUploadError(404, "No upload task for this URL.")
    total = publish.video_size
    received = publish.bytes_received
    if received >= total:
        raise SandboxUploadError(
            416, "Every byte has already arrived.", uploaded_bytes=received, total=total
        )
    expected_last = rules.expected_chunk_end(
        received=received,
        video_size=total,
        chunk_size=publish.chunk_size,
        total_chunk_count=publish.total_chunk_count,
    )
    if (requested.first, requested.last, requested.total) != (
        received,
        expected_last,
        total,
    ):
        raise SandboxUploadError(
            416,
            f"Expected bytes {received}-{expected_last}/{total}.",
            uploaded_bytes=received,
            total=total,
        )
    return total


def _receive(
    *,
    publish: SandboxPublish,
    path: Path,
    handle: BinaryIO,
    requested: rules.ContentRange,
    total: int,
    body: Readable,
    now: datetime,
) -> ChunkReceipt:
    received = publish.bytes_received
    handle.seek(received)
    handle.truncate()
    missing = requested.length
    while missing:
        block = body.read(min(BLOCK_BYTES, missing))
        if not block:
            break
        handle.write(block)
        missing -= len(block)
    if missing:
        handle.truncate(received)
        raise SandboxUploadError(400, "The body is shorter than Content-Length.")
    handle.flush()
    now_received = received + requested.length
    is_complete = now_received == total
    SandboxPublish.objects.filter(pk=publish.pk, bytes_received=received).update(
        bytes_received=now_received,
        chunks_received=F("chunks_received") + 1,
        has_partial_upload=not is_complete,
    )
    if is_complete:
        size, sha256 = _digest(handle)
        delay = sandbox_settings_get().processing_delay_seconds
        SandboxPublish.objects.filter(pk=publish.pk).update(
            received_size=size,
            received_sha256=sha256,
            media_received_at=now,
            processing_due_at=now + timedelta(seconds=delay),
        )
        path.unlink(missing_ok=True)
    return ChunkReceipt(
        http_status=201 if is_complete else 206,
        uploaded_bytes=now_received,
        total=total,
    )


def _digest(handle: BinaryIO) -> tuple[int, str]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while block := handle.read(BLOCK_BYTES):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


def sandbox_upload_url_expire(
    *, publish: SandboxPublish, now: datetime | None = None
) -> None:
    """Make the publish's upload URL answer 403 from now on."""
    SandboxPublish.objects.filter(pk=publish.pk).update(
        upload_url_expires_at=now or timezone.now()
    )


def sandbox_uploads_clean_expired(*, now: datetime | None = None) -> int:
    """Delete the partial files of uploads whose URL expired. Returns how many."""
    now = now or timezone.now()
    stale = SandboxPublish.objects.filter(
        has_partial_upload=True, upload_url_expires_at__lte=now
    )
    cleaned = 0
    for publish in stale:
        upload_path(publish).unlink(missing_ok=True)
        cleaned += SandboxPublish.objects.filter(
            pk=publish.pk, has_partial_upload=True
        ).update(has_partial_upload=False)
    return cleaned
