"""Assets stored, given a cover moment and deleted: the library's own writes.

Storing fingerprints and probes a file first, so only a readable video or photo
is kept, once per workspace; deleting removes the stored files only after the
row's deletion commits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from media_library.inspection import (
    InspectedMedia,
    fingerprint_file,
    inspect_stream,
    media_kind_of,
)
from media_library.models import MediaAsset
from media_library.selectors import media_asset_by_sha256
from media_library.services.probing import (
    media_asset_apply_inspection,
    media_asset_request_probe,
)
from media_library.services.stored_files import (
    media_asset_save_previews,
    stored_files_delete,
)
from media_library.services.tags import tag_list_get_or_create


@dataclass(frozen=True, slots=True)
class MediaAssetCreateResult:
    """The stored asset, and whether this call stored it (False: already there)."""

    asset: MediaAsset
    created: bool


def media_file_check(*, file: IO[bytes], original_filename: str) -> InspectedMedia:
    """Read ``file`` fully before it is stored; ``MediaRefusedError`` says why not.

    Kept for callers that only want the verdict (the admin's upload form).
    """
    return inspect_stream(file, original_filename=original_filename)


def media_asset_create(
    *,
    workspace_id: int,
    file: IO[bytes],
    original_filename: str,
    uploaded_by: AbstractBaseUser | None = None,
    tags: Sequence[str] = (),
    inspected: InspectedMedia | None = None,
    source_asset_id: int | None = None,
) -> MediaAssetCreateResult:
    """Store ``file`` in the workspace's library unless the same bytes are there.

    The file is fingerprinted and probed first (in a limited child process) unless
    ``inspected`` already holds that result for these bytes; a file that is empty,
    not a video or photo, unreadable or hostile raises ``MediaRefusedError`` and
    nothing is stored. A readable file outside TikTok's rules is stored with
    ``is_tiktok_ready=False`` and the reasons in ``validation_errors``. The stored
    asset comes back probed, with its thumbnail and cover frame.
    """
    if inspected is None:
        fingerprint = fingerprint_file(file)
        media_kind_of(fingerprint, original_filename)
        existing = media_asset_by_sha256(
            workspace_id=workspace_id, sha256=fingerprint.sha256
        )
        if existing is not None:
            return MediaAssetCreateResult(asset=existing, created=False)
        inspected = inspect_stream(
            file, original_filename=original_filename, fingerprint=fingerprint
        )
    else:
        existing = media_asset_by_sha256(
            workspace_id=workspace_id, sha256=inspected.fingerprint.sha256
        )
        if existing is not None:
            return MediaAssetCreateResult(asset=existing, created=False)

    asset = MediaAsset(
        workspace_id=workspace_id,
        original_filename=PurePath(original_filename).name[:255],
        uploaded_by_id=uploaded_by.pk if uploaded_by is not None else None,
        source_asset_id=source_asset_id,
    )
    media_asset_apply_inspection(asset, inspected)
    file.seek(0)
    stored: list[str] = []
    storage = asset.file.storage
    try:
        asset.file.save(original_filename, File(file), save=False)
        stored.append(asset.file.name or "")
        stored += media_asset_save_previews(asset, inspected)
        with transaction.atomic():
            asset.save()
            if tags:
                asset.tags.add(
                    *tag_list_get_or_create(workspace_id=workspace_id, names=tags)
                )
    except IntegrityError:
        # Another upload of the same bytes won the race; keep theirs.
        stored_files_delete(storage, stored)
        winner = MediaAsset.objects.get(
            workspace_id=workspace_id, sha256=inspected.fingerprint.sha256
        )
        return MediaAssetCreateResult(asset=winner, created=False)
    except BaseException:
        stored_files_delete(storage, stored)
        raise
    return MediaAssetCreateResult(asset=asset, created=True)


def media_asset_set_cover(*, asset_id: int, cover_timestamp_ms: int) -> MediaAsset:
    """Choose the video's cover moment; the cover frame is re-rendered in a task.

    Raises ``ValidationError`` for a photo or a moment past the video's end.
    """
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
        if asset.kind != MediaAsset.Kind.VIDEO:
            raise ValidationError("Only videos have a cover frame.")
        if cover_timestamp_ms < 0 or (
            asset.duration_seconds is not None
            and cover_timestamp_ms > asset.duration_seconds * 1000
        ):
            raise ValidationError(
                f"The cover moment must be between 0 and "
                f"{math.floor((asset.duration_seconds or 0) * 1000)} ms, the "
                "length of the video."
            )
        if asset.cover_timestamp_ms == cover_timestamp_ms:
            return asset
        asset.cover_timestamp_ms = cover_timestamp_ms
        asset.save(update_fields=["cover_timestamp_ms"])
        media_asset_request_probe(asset_ids=[asset.pk])
    return asset


def media_asset_delete(*, asset_id: int) -> None:
    """Delete the asset and, once that commits, its file and previews.

    Raises ``django.db.models.ProtectedError`` while a post still uses it.
    """
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
        storage = asset.file.storage
        names = [asset.file.name, asset.thumbnail.name, asset.cover_image.name]
        asset.delete()
        transaction.on_commit(partial(stored_files_delete, storage, names))
