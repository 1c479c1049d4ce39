"""Probing a stored asset again: the file re-read, every derived fact refreshed.

Holds the writer of a probe's findings onto an asset (also used when an asset is
first stored), the re-probe itself, and the request that queues it as a task.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from media_library.inspection import (
    InspectedMedia,
    MediaRefusedError,
    inspect_local_file,
)
from media_library.models import MediaAsset
from media_library.services.stored_files import (
    media_asset_save_previews,
    stored_files_delete,
)
from media_library.storage import local_path_of_stored


def media_asset_apply_inspection(asset: MediaAsset, inspected: InspectedMedia) -> None:
    """Copy what the probe found onto ``asset`` (not saved) and mark it probed.

    Sets kind, digest, size, type, stream facts, the TikTok verdict with its
    reasons, ``probed_at`` and the cover moment the previews were rendered at.
    """
    facts = inspected.facts
    asset.kind = inspected.kind
    asset.sha256 = inspected.fingerprint.sha256
    asset.size_bytes = inspected.fingerprint.size_bytes
    asset.mime_type = inspected.fingerprint.mime_type
    asset.container = facts.container
    asset.video_codec = facts.video_codec
    asset.audio_codec = facts.audio_codec
    asset.video_stream_count = facts.video_stream_count
    asset.audio_stream_count = facts.audio_stream_count
    asset.duration_seconds = facts.duration_seconds
    asset.frame_rate = float(facts.frame_rate) if facts.frame_rate else None
    asset.width = facts.width
    asset.height = facts.height
    asset.rotation = facts.rotation
    asset.bit_rate = facts.bit_rate
    asset.image_format = facts.image_format
    asset.exif_orientation = facts.exif_orientation
    asset.probe_details = inspected.details
    asset.validation_errors = list(inspected.problems)
    asset.is_tiktok_ready = inspected.is_tiktok_ready
    asset.probe_status = MediaAsset.ProbeStatus.PROBED
    asset.probe_error = ""
    asset.probed_at = timezone.now()
    asset.cover_timestamp_ms = inspected.cover_timestamp_ms


def media_asset_probe(*, asset_id: int) -> MediaAsset | None:
    """Probe the stored file again and refresh everything derived from it.

    Streams the file from storage to a bounded temporary file when it is not on
    local disk. A file that can no longer be read is marked ``failed`` with the
    reason in ``probe_error``. Returns None when the asset no longer exists.
    """
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        return None
    storage = asset.file.storage
    try:
        with local_path_of_stored(
            storage, asset.file.name or "", max_bytes=settings.MEDIA_MAX_FILE_BYTES
        ) as path:
            inspected = inspect_local_file(
                path,
                # The stored name carries the extension of the sniffed type.
                original_filename=asset.file.name or "",
                cover_timestamp_ms=asset.cover_timestamp_ms,
            )
    except (MediaRefusedError, ValidationError, OSError) as error:
        reason = getattr(error, "reason", None) or _first_message(error)
        MediaAsset.objects.filter(pk=asset_id).update(
            probe_status=MediaAsset.ProbeStatus.FAILED,
            probe_error=reason,
            is_tiktok_ready=False,
            probed_at=timezone.now(),
        )
        asset.refresh_from_db()
        return asset

    created: list[str] = []
    try:
        with transaction.atomic():
            locked = MediaAsset.objects.select_for_update().get(pk=asset_id)
            stale = [locked.thumbnail.name, locked.cover_image.name]
            sha256, size_bytes = locked.sha256, locked.size_bytes
            media_asset_apply_inspection(locked, inspected)
            # The row keeps the digest it was stored under: it is the dedup key.
            locked.sha256, locked.size_bytes = sha256, size_bytes
            created = media_asset_save_previews(locked, inspected)
            locked.save()
            transaction.on_commit(partial(stored_files_delete, storage, stale))
    except BaseException:
        stored_files_delete(storage, created)
        raise
    return locked


def _first_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"The stored file could not be read ({error})."


def media_asset_request_probe(*, asset_ids: Iterable[int]) -> int:
    """Queue a fresh probe of each asset after the transaction commits."""
    from media_library.tasks import media_asset_probe_task

    ids = list(asset_ids)
    for asset_id in ids:
        transaction.on_commit(partial(media_asset_probe_task.delay, asset_id))
    return len(ids)
