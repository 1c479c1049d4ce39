"""Writes for the media library: store, probe, tag, convert, delete."""

from __future__ import annotations

import logging
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path, PurePath
from typing import IO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from media_library.conversion import (
    ConversionNotPossibleError,
    PhotoPlan,
    VideoPlan,
    plan_conversion,
)
from media_library.inspection import (
    VIDEO_DEMUXER_FOR_MIME_TYPE,
    InspectedMedia,
    MediaRefusedError,
    fingerprint_file,
    inspect_local_file,
    inspect_stream,
    media_kind_of,
)
from media_library.isolation import WorkerError, WorkerTimeoutError, run_worker
from media_library.models import MediaAsset, MediaConversion, Tag
from media_library.selectors import media_asset_by_sha256, media_facts_of
from media_library.storage import local_path_of_stored, temporary_directory

logger = logging.getLogger(__name__)

TAG_MAX_LENGTH = 50
# A worker that has said nothing for this long is presumed dead: progress is
# written at least every 2 %, and even a 4 GB download from S3 takes less.
CONVERSION_STALE_AFTER = timedelta(minutes=10)
# A conversion nobody has picked up in this long lost its message (a broker
# restart with early acknowledgement); it is sent again.
CONVERSION_RESEND_AFTER = timedelta(minutes=10)
PROGRESS_WRITE_STEP = 0.02


@dataclass(frozen=True, slots=True)
class MediaAssetCreateResult:
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
    _apply_inspection(asset, inspected)
    file.seek(0)
    stored: list[str] = []
    storage = asset.file.storage
    try:
        asset.file.save(original_filename, File(file), save=False)
        stored.append(asset.file.name or "")
        stored += _save_previews(asset, inspected)
        with transaction.atomic():
            asset.save()
            if tags:
                asset.tags.add(
                    *tag_list_get_or_create(workspace_id=workspace_id, names=tags)
                )
    except IntegrityError:
        # Another upload of the same bytes won the race; keep theirs.
        _delete_stored(storage, stored)
        winner = MediaAsset.objects.get(
            workspace_id=workspace_id, sha256=inspected.fingerprint.sha256
        )
        return MediaAssetCreateResult(asset=winner, created=False)
    except BaseException:
        _delete_stored(storage, stored)
        raise
    return MediaAssetCreateResult(asset=asset, created=True)


def _apply_inspection(asset: MediaAsset, inspected: InspectedMedia) -> None:
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


def _save_previews(asset: MediaAsset, inspected: InspectedMedia) -> list[str]:
    """Store the probe's JPEGs on the asset (not saved); returns the new names."""
    names: list[str] = []
    for field_file, content, name in (
        (asset.thumbnail, inspected.thumbnail_jpeg, "thumbnail.jpg"),
        (asset.cover_image, inspected.cover_jpeg, "cover.jpg"),
    ):
        if content:
            field_file.save(name, ContentFile(content), save=False)
            names.append(field_file.name or "")
        else:
            field_file.name = ""
    return names


def _delete_stored(storage: Storage, names: Iterable[str | None]) -> None:
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 (clean-up must not hide the real error)
            logger.warning("Could not delete stored media file %s", name)


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
            _apply_inspection(locked, inspected)
            # The row keeps the digest it was stored under: it is the dedup key.
            locked.sha256, locked.size_bytes = sha256, size_bytes
            created = _save_previews(locked, inspected)
            locked.save()
            transaction.on_commit(partial(_delete_stored, storage, stale))
    except BaseException:
        _delete_stored(storage, created)
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


def _normalise_tag_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()[:TAG_MAX_LENGTH]


def tag_list_get_or_create(*, workspace_id: int, names: Iterable[str]) -> list[Tag]:
    """The workspace's tags with these names (case-insensitive), created if new."""
    tags: dict[str, Tag] = {}
    for raw in names:
        name = _normalise_tag_name(raw)
        if not name or name.lower() in tags:
            continue
        tag = Tag.objects.filter(workspace_id=workspace_id, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(workspace_id=workspace_id, name=name)
            except IntegrityError:
                tag = Tag.objects.get(workspace_id=workspace_id, name__iexact=name)
        tags[name.lower()] = tag
    return list(tags.values())


def media_asset_add_tags(*, asset_ids: Iterable[int], names: Sequence[str]) -> int:
    """Tag each asset with ``names`` from its own workspace; returns links added."""
    through = MediaAsset.tags.through
    with transaction.atomic():
        assets = MediaAsset.objects.filter(pk__in=list(asset_ids)).only(
            "pk", "workspace_id"
        )
        by_workspace: dict[int, list[int]] = {}
        for asset in assets:
            by_workspace.setdefault(asset.workspace_id, []).append(asset.pk)
        wanted: set[tuple[int, int]] = set()
        for workspace_id, ids in by_workspace.items():
            for tag in tag_list_get_or_create(workspace_id=workspace_id, names=names):
                wanted |= {(pk, tag.pk) for pk in ids}
        existing = set(
            through.objects.filter(
                mediaasset_id__in={pk for pk, _ in wanted},
                tag_id__in={tag_id for _, tag_id in wanted},
            ).values_list("mediaasset_id", "tag_id")
        )
        links = [
            through(mediaasset_id=pk, tag_id=tag_id)
            for pk, tag_id in sorted(wanted - existing)
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def media_asset_remove_tags(*, asset_ids: Iterable[int], names: Sequence[str]) -> int:
    """Remove the named tags (case-insensitive) from the assets; returns links cut."""
    query = Q()
    for name in names:
        if normalised := _normalise_tag_name(name):
            query |= Q(tag__name__iexact=normalised)
    if not query:
        return 0
    deleted, _ = (
        MediaAsset.tags.through.objects.filter(mediaasset_id__in=list(asset_ids))
        .filter(query)
        .delete()
    )
    return deleted


def media_asset_delete(*, asset_id: int) -> None:
    """Delete the asset and, once that commits, its file and previews.

    Raises ``django.db.models.ProtectedError`` while a post still uses it.
    """
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
        storage = asset.file.storage
        names = [asset.file.name, asset.thumbnail.name, asset.cover_image.name]
        asset.delete()
        transaction.on_commit(partial(_delete_stored, storage, names))


def media_conversion_request(
    *, asset_id: int, requested_by: AbstractBaseUser | None = None
) -> MediaConversion:
    """Queue "Make TikTok-ready" for an asset TikTok would refuse.

    Raises ``ValidationError`` when the asset is already ready, not probed, cannot
    be fixed by converting, or already has a conversion under way.
    """
    asset = MediaAsset.objects.get(pk=asset_id)
    if asset.probe_status != MediaAsset.ProbeStatus.PROBED:
        raise ValidationError(f"{asset} has not been probed yet; probe it first.")
    if asset.is_tiktok_ready:
        raise ValidationError(f"{asset} is already TikTok-ready.")
    try:
        plan_conversion(media_facts_of(asset))
    except ConversionNotPossibleError as error:
        raise ValidationError(f"{asset}: {error}") from error
    try:
        with transaction.atomic():
            conversion = MediaConversion.objects.create(
                source=asset,
                requested_by_id=requested_by.pk if requested_by is not None else None,
            )
            transaction.on_commit(partial(_send_conversion, conversion.pk))
    except IntegrityError as error:
        raise ValidationError(
            f"{asset} is already being converted; wait for that to finish."
        ) from error
    return conversion


def _send_conversion(conversion_id: int) -> None:
    from media_library.tasks import media_conversion_run_task

    limit = settings.MEDIA_CONVERT_TIMEOUT_SECONDS
    media_conversion_run_task.apply_async(
        (conversion_id,), soft_time_limit=limit + 30, time_limit=limit + 60
    )


def media_conversion_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Fail conversions whose worker went silent; re-send ones never picked up.

    Returns (failed, re-sent). Re-sending is safe: a conversion is only ever
    taken by the worker whose compare-and-set claim succeeds.
    """
    now = now or timezone.now()
    failed = MediaConversion.objects.filter(
        status=MediaConversion.Status.RUNNING,
        heartbeat_at__lt=now - CONVERSION_STALE_AFTER,
    ).update(
        status=MediaConversion.Status.FAILED,
        error="The worker stopped while converting (it was restarted or ran out "
        'of memory). Use "Make TikTok-ready" again.',
        finished_at=now,
    )
    waiting = list(
        MediaConversion.objects.filter(
            status=MediaConversion.Status.PENDING,
            created_at__lt=now - CONVERSION_RESEND_AFTER,
        ).values_list("pk", flat=True)[:100]
    )
    for conversion_id in waiting:
        transaction.on_commit(partial(_send_conversion, conversion_id))
    return failed, len(waiting)


def media_conversion_run(*, conversion_id: int) -> MediaConversion:
    """Convert the source into a new, probed asset, reporting progress as it goes.

    Takes the conversion only if it is waiting (or running with a worker that
    went silent), so a second delivery of the task does nothing. Failures are
    recorded on the conversion in words; nothing is raised for them.
    """
    now = timezone.now()
    claimed = MediaConversion.objects.filter(
        Q(status=MediaConversion.Status.PENDING)
        | Q(
            status=MediaConversion.Status.RUNNING,
            heartbeat_at__lt=now - CONVERSION_STALE_AFTER,
        ),
        pk=conversion_id,
    ).update(
        status=MediaConversion.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=0.0,
        error="",
    )
    conversion = MediaConversion.objects.select_related("source").get(pk=conversion_id)
    if claimed != 1:
        return conversion
    try:
        result = _convert(conversion)
    except (
        ConversionNotPossibleError,
        MediaRefusedError,
        ValidationError,
        WorkerError,
        OSError,
    ) as error:
        _finish_conversion(conversion_id, error=_conversion_error_text(error))
    else:
        _finish_conversion(conversion_id, result=result)
    conversion.refresh_from_db()
    return conversion


def _convert(conversion: MediaConversion) -> MediaAsset:
    source = conversion.source
    plan = plan_conversion(media_facts_of(source))
    suffix = ".jpg" if isinstance(plan, PhotoPlan) else ".mp4"
    storage = source.file.storage
    with (
        local_path_of_stored(
            storage, source.file.name or "", max_bytes=settings.MEDIA_MAX_FILE_BYTES
        ) as path,
        tempfile.TemporaryDirectory(
            prefix="postdeck-convert-", dir=temporary_directory()
        ) as directory,
    ):
        output = Path(directory) / f"converted{suffix}"
        _run_converter(conversion, path, output, plan)
        name = f"{PurePath(source.original_filename or 'media').stem} (TikTok-ready)"
        with output.open("rb") as handle:
            created = media_asset_create(
                workspace_id=source.workspace_id,
                file=handle,
                original_filename=name + suffix,
                uploaded_by=conversion.requested_by,
                tags=list(source.tags.values_list("name", flat=True)),
                source_asset_id=source.pk,
            )
    return created.asset


def _run_converter(
    conversion: MediaConversion,
    source_path: Path,
    output: Path,
    plan: VideoPlan | PhotoPlan,
) -> None:
    source = conversion.source
    timeout = settings.MEDIA_CONVERT_TIMEOUT_SECONDS
    request = {
        "kind": source.kind,
        "path": str(source_path),
        "dest": str(output),
        "demuxer": VIDEO_DEMUXER_FOR_MIME_TYPE.get(source.mime_type),
        "duration_seconds": source.duration_seconds or 0,
        "plan": plan.as_request(),
        "memory_bytes": settings.MEDIA_CONVERT_MEMORY_LIMIT_MB * 1024 * 1024,
        "cpu_seconds": timeout * 2,  # x264 uses two threads
        "max_file_bytes": settings.MEDIA_MAX_FILE_BYTES,
        "max_pixels": settings.MEDIA_PHOTO_MAX_PIXELS,
    }
    last_written = [0.0]

    def report(progress: float) -> None:
        if progress - last_written[0] < PROGRESS_WRITE_STEP:
            return
        last_written[0] = progress
        MediaConversion.objects.filter(
            pk=conversion.pk, status=MediaConversion.Status.RUNNING
        ).update(progress=max(0.0, min(progress, 1.0)), heartbeat_at=timezone.now())

    try:
        answer = run_worker(
            "media_library.workers.convert",
            request,
            timeout_seconds=timeout,
            on_progress=report,
        )
    except WorkerTimeoutError as error:
        raise WorkerError(
            f"The conversion took longer than {timeout} seconds and was stopped."
        ) from error
    if not answer.get("ok"):
        raise ConversionNotPossibleError(str(answer.get("reason") or "failed"))


def _conversion_error_text(error: Exception) -> str:
    if isinstance(error, MediaRefusedError):
        return f"The converted file was refused: {error.reason}"
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, WorkerError) and "exited with status" in str(error):
        logger.warning("Media conversion stopped: %s", error)
        return "The converter stopped unexpectedly (see the worker log)."
    return str(error)


def _finish_conversion(
    conversion_id: int, *, result: MediaAsset | None = None, error: str = ""
) -> None:
    succeeded = result is not None
    MediaConversion.objects.filter(
        pk=conversion_id, status=MediaConversion.Status.RUNNING
    ).update(
        status=MediaConversion.Status.SUCCEEDED
        if succeeded
        else MediaConversion.Status.FAILED,
        result=result,
        progress=1.0 if succeeded else 0.0,
        error=error,
        finished_at=timezone.now(),
    )
