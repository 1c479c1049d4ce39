"""INIT_PENDING: call TikTok's init once and store what it answered before any
byte is sent (§4.3 to §4.5, docs/reliability.md §4).

``publish_id`` and ``upload_url`` are committed → UPLOADING (or PROCESSING for
a pull from URL or a photo post). A run that finds an init intent it did not
write itself (the previous worker died), or whose init answer was lost, never
repeats the call blindly: a lost FILE_UPLOAD init is harmless, since TikTok has
nothing to publish until the final chunk reaches a URL we stored
(``reinit_is_safe``), so it inits again and records the orphan; a lost pull
init is truly ambiguous → Needs review. A 5xx answer to a pull or photo init
counts as lost (TikTok had the request and may have acted); to a FILE_UPLOAD
init it is a temporary failure like any other.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Now

from tiktok_integration.client import (
    FileUploadSource,
    PublishInit,
    PullFromUrlSource,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokTransientError,
    plan_chunks,
)
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.composer import DIRECT, photo_post_request, video_post_request
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing import faultpoints
from tiktok_integration.publishing.calls import call_api
from tiktok_integration.publishing.leases import publish_job_renew
from tiktok_integration.publishing.media import (
    JobMedia,
    MediaProblemError,
    is_photo,
    job_media,
    photo_urls,
    post_choices,
    video_pull_url,
)
from tiktok_integration.publishing.run_state import NeedsPersonError, Run, end_step
from tiktok_integration.publishing.status import orphan_entry, reset_for_new_init
from tiktok_integration.publishing.transitions import publish_job_transition

Status = PublishJob.Status
FILE_UPLOAD = PublishJob.Source.FILE_UPLOAD
PULL_FROM_URL = PublishJob.Source.PULL_FROM_URL


def reinit_is_safe(job: PublishJob) -> bool:
    """Whether an init whose answer was lost may simply be sent again."""
    # FILE_UPLOAD publishes nothing until the final chunk reaches a URL we hold.
    return job.source == FILE_UPLOAD


def init(run: Run, job: PublishJob) -> None:
    """Send ``job``'s init to TikTok once and store the answer (→ UPLOADING, or
    PROCESSING for a pull or a photo post).

    Raises ``NeedsPersonError`` for a lost (or 5xx-answered) init that must
    not be repeated, ``MediaProblemError`` when the media cannot be sent, and
    ``call_api``'s errors.
    """
    lease = run.lease
    media = job_media(job)
    if job.init_requested_at is not None and not run.fresh_intent:
        _retry_lost_init(run, job, "a worker stopped after committing the init")
        return
    if job.init_requested_at is None:
        publish_job_renew(
            lease=lease, status=Status.INIT_PENDING, init_requested_at=Now()
        )
        run.fresh_intent = True
    endpoint, request = _init_request(job, media)
    try:
        result = call_api(
            account_id=job.account_id,
            job_id=job.pk,
            lease_version=lease.version,
            endpoint=endpoint,
            request=request,
        )
    except TikTokAmbiguousError:
        _retry_lost_init(run, job, "TikTok's answer to the init was lost")
        return
    except TikTokTransientError as error:
        # A 5xx came back after TikTok received the init, which it may have
        # acted on all the same (RELIABILITY §2.2: ambiguous). Only an init that
        # is harmless to repeat goes the transient way (parked, sent again).
        if error.http_status is None or reinit_is_safe(job):
            raise
        _retry_lost_init(
            run, job, f"TikTok answered the init with HTTP {error.http_status}"
        )
        return
    faultpoints.faultpoint("after_init_response")
    if job.source == FILE_UPLOAD and not is_photo(media):
        plan = plan_chunks(media.video.size_bytes, settings.TIKTOK_CHUNK_SIZE)
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.UPLOADING,
            lease_version=lease.version,
            owner=lease.owner,
            publish_id=result.publish_id,
            upload_url=result.upload_url,
            chunk_size=plan.chunk_size,
            total_chunks=plan.total_chunk_count,
            next_chunk=0,
            bytes_confirmed=0,
            final_chunk_sent_at=None,
            transient_failure_count=0,
        )
        run.fresh_upload = True
    else:
        end_step(
            run,
            job,
            Status.PROCESSING,
            publish_id=result.publish_id,
            next_action_at=db_now()
            + timedelta(seconds=settings.TIKTOK_POLL_FIRST_SECONDS),
            transient_failure_count=0,
        )


def _retry_lost_init(run: Run, job: PublishJob, why: str) -> None:
    if not reinit_is_safe(job):
        raise NeedsPersonError(
            Status.NEEDS_REVIEW,
            f"TikTok may or may not have started this post ({why}); with a pull "
            "from URL that start may publish it, so Postdeck does not try again "
            "by itself. Use 'Reconcile' to look for it on TikTok, then 'Retry' or "
            "'Mark published'.",
        )
    if job.attempt_count >= job.max_attempts:
        raise NeedsPersonError(
            Status.NEEDS_REVIEW,
            f"TikTok did not answer {job.attempt_count} attempts to start the "
            "upload. Nothing was uploaded; retry when TikTok is healthy.",
        )
    # The lost init (if it happened) made a publish_id that never gets a byte.
    publish_job_renew(
        lease=run.lease,
        status=Status.INIT_PENDING,
        orphan_publish_ids=[*job.orphan_publish_ids, orphan_entry(None, why, db_now())],
        attempt_count=F("attempt_count") + 1,
        init_requested_at=Now(),
    )
    run.fresh_intent = True


def _init_request(job: PublishJob, media: JobMedia) -> tuple[Endpoint, Any]:
    choices = post_choices(job, media)
    try:
        if is_photo(media):
            photo = photo_post_request(choices, photo_urls(job, media))
            return Endpoint.CONTENT_INIT, lambda client, token: client.init_photo(
                access_token=token, request=photo
            )
        source: FileUploadSource | PullFromUrlSource
        if job.source == PULL_FROM_URL:
            url = video_pull_url(job, media)
            if url is None:
                raise MediaProblemError("The video's URL is no longer verified.")
            source = PullFromUrlSource(url)
        else:
            source = plan_chunks(
                media.video.size_bytes, settings.TIKTOK_CHUNK_SIZE
            ).as_source()
        if job.mode != DIRECT:
            return (
                Endpoint.INBOX_VIDEO_INIT,
                lambda client, token: client.init_inbox_video(
                    access_token=token, source=source
                ),
            )
        post = video_post_request(choices)
    except ValueError as error:
        raise MediaProblemError(str(error)) from error

    def direct(client: TikTokClient, token: str) -> PublishInit:
        return client.init_direct_video(access_token=token, post=post, source=source)

    return Endpoint.VIDEO_INIT, direct


def reinit(run: Run, job: PublishJob, why: str) -> None:
    """Start over with a new init (→ INIT_PENDING, the old publish_id kept as an
    orphan); only after TikTok showed the old publish cannot complete (it
    failed, or its URL was refused before all bytes). Past ``max_attempts``
    raises ``NeedsPersonError`` (→ FAILED)."""
    if job.attempt_count >= job.max_attempts:
        raise NeedsPersonError(
            Status.FAILED,
            f"The upload failed {job.attempt_count} times ({why}); nothing was "
            "published. Retry later or check the media.",
        )
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.INIT_PENDING,
        lease_version=run.lease.version,
        owner=run.lease.owner,
        attempt_count=F("attempt_count") + 1,
        transient_failure_count=0,
        **reset_for_new_init(job, why, db_now()),
    )
    run.fresh_intent = False
    run.fresh_upload = False
    run.url_refused = False
