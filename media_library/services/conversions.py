"""'Make TikTok-ready': queueing a conversion, running it, and sweeping stuck ones.

A conversion turns an asset TikTok would refuse into a new, probed asset in a
limited child process, writing its progress as it goes. Only the worker whose
compare-and-set claim succeeds runs it; the sweep fails conversions whose worker
went silent and re-sends ones whose message was lost.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from media_library.conversion import (
    ConversionNotPossibleError,
    PhotoPlan,
    VideoPlan,
    plan_conversion,
)
from media_library.inspection import VIDEO_DEMUXER_FOR_MIME_TYPE, MediaRefusedError
from media_library.isolation import WorkerError, WorkerTimeoutError, run_worker
from media_library.models import MediaAsset, MediaConversion
from media_library.selectors import media_facts_of
from media_library.services.assets import media_asset_create
from media_library.storage import local_path_of_stored, temporary_directory

logger = logging.getLogger(__name__)

# A worker that has said nothing for this long is presumed dead: progress is
# written at least every 2 %, and even a 4 GB download from S3 takes less.
CONVERSION_STALE_AFTER = timedelta(minutes=10)
# A conversion nobody has picked up in this long lost its message (a broker
# restart with early acknowledgement); it is sent again.
CONVERSION_RESEND_AFTER = timedelta(minutes=10)
PROGRESS_WRITE_STEP = 0.02


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
