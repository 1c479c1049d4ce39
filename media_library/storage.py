"""Where media files live in storage, and getting a local copy to probe.

Names are generated, never taken from the upload, so a filename cannot choose a
path, overwrite another file, or carry an extension the web server would run.
The extension comes from the type sniffed from the bytes, so a PNG named
``clip.mp4`` is stored as ``.png`` and served as an image.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage

EXTENSION_FOR_MIME_TYPE = {
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "video/x-matroska": ".mkv",
    "video/x-m4v": ".m4v",
    "video/3gpp": ".3gp",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
COPY_BLOCK_SIZE = 1024 * 1024


def media_asset_upload_to(instance: Any, filename: str) -> str:
    extension = EXTENSION_FOR_MIME_TYPE.get(instance.mime_type, ".bin")
    return f"workspaces/{instance.workspace_id}/media/{uuid.uuid4().hex}{extension}"


def media_asset_derivative_upload_to(instance: Any, filename: str) -> str:
    # Derivatives are always JPEGs rendered by the probe.
    return f"workspaces/{instance.workspace_id}/derived/{uuid.uuid4().hex}.jpg"


def temporary_directory() -> str | None:
    return getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or None


@contextlib.contextmanager
def local_path_of_stream(stream: IO[bytes], *, max_bytes: int) -> Iterator[Path]:
    """A path on local disk holding ``stream``'s bytes, without copying if it has one.

    Django's ``TemporaryUploadedFile`` and files opened from disk are used where
    they are; anything else (an in-memory upload, a remote file) is copied in
    blocks to a temporary file that is removed afterwards. Raises
    ``ValidationError`` past ``max_bytes``.
    """
    existing = _existing_path(stream)
    if existing is not None:
        yield existing
        return
    with _bounded_temporary_copy(stream, max_bytes=max_bytes) as path:
        yield path


@contextlib.contextmanager
def local_path_of_stored(
    storage: Storage, name: str, *, max_bytes: int
) -> Iterator[Path]:
    """A local path for a stored file, streamed to a temporary file if remote."""
    local: Path | None = None
    with contextlib.suppress(NotImplementedError):
        local = Path(storage.path(name))
    if local is not None and local.is_file():
        yield local
        return
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        # django-storages' S3File would buffer the whole object (in memory unless
        # max_memory_size is set); boto3 streams it to disk in parts instead.
        key = storage._normalize_name(name)
        obj = bucket.Object(key)
        if obj.content_length > max_bytes:
            raise ValidationError(_too_big(max_bytes))
        with _temporary_file() as (handle, path):
            obj.download_fileobj(handle)
            handle.close()
            yield path
        return
    with (
        storage.open(name, "rb") as stored,
        _bounded_temporary_copy(stored, max_bytes=max_bytes) as path,
    ):
        yield path


def _existing_path(stream: IO[bytes]) -> Path | None:
    temporary_file_path = getattr(stream, "temporary_file_path", None)
    if callable(temporary_file_path):
        return Path(temporary_file_path())
    name = getattr(stream, "name", None)
    fileno = getattr(stream, "fileno", None)
    if not isinstance(name, str) or not callable(fileno):
        return None
    try:
        opened = os.fstat(fileno())
        named = os.stat(name)
    except (OSError, ValueError, AttributeError):
        return None
    # Only when the name still points at the very file that is open.
    if (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino):
        return Path(name).resolve()
    return None


@contextlib.contextmanager
def _temporary_file() -> Iterator[tuple[IO[bytes], Path]]:
    descriptor, name = tempfile.mkstemp(prefix="postdeck-", dir=temporary_directory())
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle, path
    finally:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _bounded_temporary_copy(stream: IO[bytes], *, max_bytes: int) -> Iterator[Path]:
    with _temporary_file() as (handle, path):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.seek(0)
        copied = 0
        while block := stream.read(COPY_BLOCK_SIZE):
            copied += len(block)
            if copied > max_bytes:
                raise ValidationError(_too_big(max_bytes))
            handle.write(block)
        handle.close()
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.seek(0)
        yield path


def _too_big(max_bytes: int) -> str:
    return (
        f"The file is larger than the library's limit of {max_bytes:,} bytes. "
        "Export it at a lower bit rate or shorter length."
    )
