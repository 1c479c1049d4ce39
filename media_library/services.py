"""Writes for the media library."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import filetype
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from media_library.models import MediaAsset

HASH_BLOCK_SIZE = 1024 * 1024
VIDEO_MIME_TYPES = {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"}
PHOTO_MIME_TYPES = {"image/jpeg", "image/webp", "image/png"}


@dataclass(frozen=True, slots=True)
class FileFingerprint:
    sha256: str
    size_bytes: int
    mime_type: str


def fingerprint_file(stream: IO[bytes]) -> FileFingerprint:
    """Hash and sniff a file in fixed-size blocks; the file is never read whole."""
    stream.seek(0)
    head = stream.read(8192)
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


def kind_for_mime_type(mime_type: str) -> str:
    if mime_type in VIDEO_MIME_TYPES:
        return MediaAsset.Kind.VIDEO
    if mime_type in PHOTO_MIME_TYPES:
        return MediaAsset.Kind.PHOTO
    raise ValidationError(
        f"This file's content is {mime_type}, which is neither a video (MP4, MOV, "
        "WebM) nor a photo (JPEG, WebP, PNG). Upload the original media file."
    )


def media_file_check(*, file: IO[bytes], original_filename: str) -> FileFingerprint:
    """Refuse an empty file or one that is neither video nor photo, by its bytes."""
    fingerprint = fingerprint_file(file)
    if fingerprint.size_bytes == 0:
        raise ValidationError(f"{original_filename} is empty (0 bytes).")
    kind_for_mime_type(fingerprint.mime_type)
    return fingerprint


@dataclass(frozen=True, slots=True)
class MediaAssetCreateResult:
    asset: MediaAsset
    created: bool


def media_asset_create(
    *,
    workspace_id: int,
    file: IO[bytes],
    original_filename: str,
    uploaded_by: AbstractBaseUser | None = None,
) -> MediaAssetCreateResult:
    """Store ``file`` in the workspace's library unless the same bytes are there.

    Raises ``ValidationError`` for an empty file or one that is neither a video nor
    a photo, before anything is stored.
    """
    fingerprint = media_file_check(file=file, original_filename=original_filename)
    kind = kind_for_mime_type(fingerprint.mime_type)
    existing = MediaAsset.objects.filter(
        workspace_id=workspace_id, sha256=fingerprint.sha256
    ).first()
    if existing is not None:
        return MediaAssetCreateResult(asset=existing, created=False)
    asset = MediaAsset(
        workspace_id=workspace_id,
        kind=kind,
        original_filename=original_filename[:255],
        sha256=fingerprint.sha256,
        size_bytes=fingerprint.size_bytes,
        mime_type=fingerprint.mime_type,
        uploaded_by=uploaded_by,
    )
    asset.file.save(original_filename, File(file), save=False)
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        # Another upload of the same bytes won the race; keep theirs.
        asset.file.delete(save=False)
        winner = MediaAsset.objects.get(
            workspace_id=workspace_id, sha256=fingerprint.sha256
        )
        return MediaAssetCreateResult(asset=winner, created=False)
    return MediaAssetCreateResult(asset=asset, created=True)
