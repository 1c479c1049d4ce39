"""The in-flight steps of a job: prepare, init, upload (RELIABILITY.md §1.2).

- CLAIMED: re-read creator info and check the post against it; anticipate
  posting caps; commit the init intent (``init_requested_at``) → INIT_PENDING.
- INIT_PENDING: call init once; store ``publish_id`` and ``upload_url`` before
  any byte is sent → UPLOADING (or PROCESSING for a pull).
- UPLOADING: send the missing chunks in order, committing progress after each;
  ``final_chunk_sent_at`` is committed before the last one → PROCESSING.

A run that finds an intent it did not write itself (the previous worker died)
never repeats the call blindly: a lost FILE_UPLOAD init is harmless (TikTok has
nothing to publish until the final chunk reaches a URL we stored), so it re-inits
and records the orphan; a lost pull init is truly ambiguous → Needs review. An
upload is resumed by asking TikTok how many bytes it has.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F
from django.db.models.functions import Now

from media_library.selectors import media_asset_pull_url
from tiktok_integration.client import (
    RETRYABLE_FAIL_REASONS,
    ChunkPlan,
    ChunkUploadResult,
    FileRangeReader,
    FileUploadSource,
    PublishInit,
    PublishState,
    PublishStatus,
    PullFromUrlSource,
    TikTokAccountBlockedError,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokQuotaError,
    TikTokRangeMismatchError,
    TikTokRejectedError,
    TikTokTransientError,
    plan_chunks,
)
from tiktok_integration.client.facts import UPLOAD_CONTENT_TYPES
from tiktok_integration.composer import (
    DIRECT,
    CreatorRules,
    check_post,
    photo_post_request,
    video_post_request,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.calls import ParkError, call_api, put_chunk
from tiktok_integration.publishing.faultpoints import faultpoint
from tiktok_integration.publishing.leases import (
    Lease,
    LeaseLostError,
    publish_job_acquire,
    publish_job_park,
    publish_job_renew,
)
from tiktok_integration.publishing.media import (
    JobMedia,
    MediaProblemError,
    is_photo,
    job_media,
    photo_urls,
    post_choices,
)
from tiktok_integration.publishing.status import (
    orphan_entry,
    publish_job_apply_status,
    reset_for_new_init,
)
from tiktok_integration.services.accounts import creator_info_snapshot
from tiktok_integration.services.jobs import (
    InvalidTransitionError,
    publish_job_transition,
)
from tiktok_integration.services.tokens import ReconnectRequiredError

logger = logging.getLogger(__name__)
Status = PublishJob.Status
FILE_UPLOAD = PublishJob.Source.FILE_UPLOAD
PULL_FROM_URL = PublishJob.Source.PULL_FROM_URL

MAX_STEPS_PER_RUN = 12
CHUNK_TRIES = 3
MAX_RANGE_MISMATCHES = 3
# Wake-up messages longer than this would sit in the broker; the dispatch tick
# picks such jobs up instead (RELIABILITY.md: no countdown over ~2 minutes).
MAX_COUNTDOWN_SECONDS = 120.0
DAY = timedelta(hours=24)


class CapReachedError(Exception):
    """A posting cap will refuse this post now; try again at ``until``."""

    def __init__(self, until: datetime, message: str) -> None:
        super().__init__(message)
        self.until = until
        self.message = message


class NeedsPersonError(Exception):
    """Stop and show staff ``message`` in state ``to``."""

    def __init__(self, to: str, message: str) -> None:
        super().__init__(message)
        self.to = to
        self.message = message


@dataclass(slots=True)
class Run:
    lease: Lease
    # This run wrote the init intent itself, so it knows no init was sent yet.
    fresh_intent: bool = False
    # This run got the upload URL (or already asked TikTok for progress).
    fresh_upload: bool = False
    # TikTok refused the upload URL (expired, unknown): re-init unless complete.
    url_refused: bool = False


def publish_job_run(*, publish_job_id: int, lease_version: int) -> str:
    """Drive one claimed job as far as it goes now; returns a note for the log.

    A duplicate or stale message (lease version moved on, or held by a live
    worker) returns at once without any TikTok call.
    """
    lease = publish_job_acquire(
        publish_job_id=publish_job_id,
        lease_version=lease_version,
        states=PublishJob.IN_FLIGHT,
    )
    if lease is None:
        return "Not ours (duplicate or stale message)."
    run = Run(lease)
    job: PublishJob | None = None
    try:
        for _ in range(MAX_STEPS_PER_RUN):
            job = PublishJob.objects.select_related("post", "account").get(
                pk=publish_job_id
            )
            if job.status not in PublishJob.IN_FLIGHT:
                return f"Now {job.status}."
            if (job.lease_version, job.lease_owner) != (lease.version, lease.owner):
                return "Lease lost."
            if job.status == Status.CLAIMED:
                _wait_until_due(job)
                _prepare(run, job)
            elif job.status == Status.INIT_PENDING:
                _init(run, job)
            else:
                _upload(run, job)
        raise TikTokTransientError(code="step_loop", message="No progress made.")
    except LeaseLostError:
        return "Lease lost."
    except SoftTimeLimitExceeded:
        _park(run, job, 0.0, "Continuing in a fresh task (time limit).")
        return "Time limit: parked."
    except Exception as error:
        if job is None:
            raise
        return _settle(run, job, error)


def _wait_until_due(job: PublishJob) -> None:
    # Handed out up to one tick early with a countdown; start on the second.
    early = (job.scheduled_at - db_now()).total_seconds()
    if 0 < early <= settings.TIKTOK_PUBLISH_DISPATCH_SECONDS + 1:
        time.sleep(early)


# --- Settling: every way a step can stop -----------------------------------------


def _end(run: Run, job: PublishJob, to: str, **fields: Any) -> None:
    try:
        publish_job_transition(
            publish_job_id=job.pk,
            to=to,
            lease_version=run.lease.version,
            owner=run.lease.owner,
            lease_owner="",
            lease_expires_at=None,
            **fields,
        )
    except InvalidTransitionError:
        logger.info("Job %s moved on before it could go to %s", job.pk, to)


def _settle(run: Run, job: PublishJob, error: Exception) -> str:
    # Before the init request is sent, or when TikTok answered it with a
    # refusal, TikTok created nothing: withdraw the intent so the next run
    # does not mistake it for a lost answer.
    withdraw = {"init_requested_at": None} if job.status == Status.INIT_PENDING else {}
    if isinstance(error, ParkError):
        _park(run, job, error.delay, error.reason, **withdraw)
        return f"Parked {error.delay:.0f} s: {error.reason}"
    if isinstance(error, TikTokTransientError):
        failures = job.transient_failure_count + 1
        if failures > settings.TIKTOK_PUBLISH_MAX_TRANSIENT_FAILURES:
            _end(
                run,
                job,
                Status.NEEDS_REVIEW,
                failure_message=(
                    f"TikTok kept failing ({error.code}, {failures} times in a "
                    f"row). Log id: {error.log_id or '-'}. Retry when TikTok is "
                    "healthy again."
                ),
            )
            return "Needs review: too many temporary failures."
        ceiling = min(settings.TIKTOK_PUBLISH_BACKOFF_MAX_SECONDS, 2.0**failures)
        delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311
        _park(
            run,
            job,
            delay,
            error.staff_message,
            transient_failure_count=failures,
            **withdraw,
        )
        return f"Temporary failure {error.code}; retrying in {delay:.0f} s."
    if isinstance(error, CapReachedError | TikTokQuotaError):
        return _reschedule(run, job, error)
    if isinstance(error, ReconnectRequiredError):
        _end(run, job, Status.PAUSED_REAUTH, failure_message=error.reason, **withdraw)
        return "Paused: the account needs reconnecting."
    if isinstance(error, TikTokAccountBlockedError):
        _end(
            run,
            job,
            Status.NEEDS_CONFIRMATION,
            failure_message=f"{error.staff_message} (log id {error.log_id or '-'})",
            **withdraw,
        )
        return "Needs confirmation: account blocked."
    if isinstance(error, NeedsPersonError):
        _end(run, job, error.to, failure_message=error.message, **withdraw)
        return f"{error.to}: {error.message}"
    if isinstance(error, MediaProblemError):
        _end(run, job, Status.FAILED, failure_message=str(error))
        return f"Failed: {error}"
    if isinstance(error, TikTokAmbiguousError):
        _end(
            run,
            job,
            Status.NEEDS_REVIEW,
            failure_message=f"{error.staff_message} Use 'Reconcile' to look for it.",
        )
        return "Needs review: ambiguous outcome."
    if isinstance(error, TikTokRejectedError):
        _end(
            run,
            job,
            Status.FAILED,
            fail_reason=error.code[:80],
            failure_message=f"{error.staff_message} (log id {error.log_id or '-'})",
            **withdraw,
        )
        return f"Failed: {error.code}."
    # A bug or an outage we did not foresee: keep the lease so the reclaim
    # path retries it, counting an attempt, until it reaches Needs review.
    logger.exception("Publishing job %s stopped unexpectedly", job.pk)
    raise error


def _park(
    run: Run, job: PublishJob | None, delay: float, reason: str, **fields: Any
) -> None:
    until = publish_job_park(lease=run.lease, delay=delay, **fields)
    if until is None or job is None:
        return
    logger.info("Job %s parked for %.1f s: %s", job.pk, delay, reason)
    if delay <= MAX_COUNTDOWN_SECONDS:
        # The wake-up carries the same version: it may take the lease only
        # once next_action_at has passed, and the dispatch tick is the net.
        current_app.send_task(
            "tiktok.publish_run",
            args=[job.pk, run.lease.version],
            countdown=delay + 0.5,
        )


def _reschedule(run: Run, job: PublishJob, error: Exception) -> str:
    if isinstance(error, CapReachedError):
        until, message = error.until, error.message
    else:
        assert isinstance(error, TikTokQuotaError)  # noqa: S101
        until = _cap_frees_at(job, error.code)
        message = error.staff_message
    _end(
        run,
        job,
        Status.SCHEDULED,
        scheduled_at=until,
        init_requested_at=None,
        next_action_at=None,
        # A cap is not the job's fault: give the attempt back.
        attempt_count=F("attempt_count") - 1,
        failure_message=(
            f"{message} Postdeck tries again at {until:%Y-%m-%d %H:%M} UTC."
        ),
    )
    return f"Rescheduled to {until:%H:%M}: {message}"


# --- Caps, anticipated from the job history -------------------------------------


def _reached_tiktok(now: datetime) -> Any:
    return PublishJob.objects.filter(
        processing_at__gte=now - DAY,
        status__in=(
            Status.PROCESSING,
            Status.SENT_TO_INBOX,
            Status.PUBLISHED,
        ),
    )


def _cap_frees_at(job: PublishJob, code: str) -> datetime:
    now = db_now()
    if code == "spam_risk_too_many_posts":
        oldest = (
            _reached_tiktok(now)
            .filter(account_id=job.account_id, mode=DIRECT)
            .order_by("processing_at")
            .values_list("processing_at", flat=True)
            .first()
        )
        return (oldest + DAY) if oldest else now + DAY
    # Pending drafts free up when the creator acts; app caps roll over the day.
    return now + timedelta(hours=1)


def _anticipate_caps(job: PublishJob, now: datetime) -> None:
    recent = _reached_tiktok(now)
    if job.mode == DIRECT:
        posts = recent.filter(account_id=job.account_id, mode=DIRECT)
        if posts.count() >= settings.TIKTOK_DAILY_POST_CAP:
            raise CapReachedError(
                _cap_frees_at(job, "spam_risk_too_many_posts"),
                f"This account already posted {settings.TIKTOK_DAILY_POST_CAP} "
                "times through the API in 24 hours, TikTok's daily limit.",
            )
    else:
        pending = recent.filter(
            account_id=job.account_id,
            mode=PublishJob.Mode.DRAFT,
            status__in=(Status.PROCESSING, Status.SENT_TO_INBOX),
        )
        if pending.count() >= settings.TIKTOK_PENDING_SHARE_CAP:
            raise CapReachedError(
                now + timedelta(hours=1),
                f"The creator has {settings.TIKTOK_PENDING_SHARE_CAP} drafts "
                "waiting in their TikTok inbox, TikTok's limit; ask them to post "
                "or discard some.",
            )
    cap = settings.TIKTOK_ACTIVE_USER_CAP
    if cap:
        active = set(recent.values_list("account_id", flat=True).distinct())
        if job.account_id not in active and len(active) >= cap:
            raise CapReachedError(
                now + timedelta(hours=1),
                f"{cap} creators already posted through this app in 24 hours, the "
                "app's limit at TikTok.",
            )


# --- CLAIMED ----------------------------------------------------------------------


def _prepare(run: Run, job: PublishJob) -> None:
    lease = run.lease
    if job.publish_id:
        # Already at TikTok: only ever resumed, never initialised again.
        if job.source == FILE_UPLOAD and not is_photo(job_media(job)):
            publish_job_transition(
                publish_job_id=job.pk,
                to=Status.UPLOADING,
                lease_version=lease.version,
                owner=lease.owner,
            )
        else:
            _end(run, job, Status.PROCESSING, next_action_at=Now())
        return
    media = job_media(job)
    if job.media_sha256 and job.media_sha256 != media.fingerprint:
        raise NeedsPersonError(
            Status.NEEDS_CONFIRMATION,
            "The post's media changed after this job was set up; check the job "
            "and confirm it with 'Publish now'.",
        )
    snapshot = _creator_info(run, job)
    problems = check_post(
        post_choices(job, media), CreatorRules.from_snapshot(snapshot)
    )
    if problems:
        raise NeedsPersonError(
            Status.NEEDS_CONFIRMATION,
            "Not sent, because what TikTok allows changed or the settings break "
            "a rule: " + " ".join(problem.message for problem in problems),
        )
    _anticipate_caps(job, db_now())
    source = _source_for(job, media)
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.INIT_PENDING,
        lease_version=lease.version,
        owner=lease.owner,
        media_sha256=media.fingerprint,
        source=source,
        transient_failure_count=0,
        failure_message="",
    )
    run.fresh_intent = True


def _source_for(job: PublishJob, media: JobMedia) -> str:
    if is_photo(media):
        return PULL_FROM_URL
    if job.source == PULL_FROM_URL and media_asset_pull_url(media.video) is None:
        # Not under a verified prefix (any more): upload the file instead.
        return FILE_UPLOAD
    return job.source


def _creator_info(run: Run, job: PublishJob) -> dict[str, Any]:
    info = call_api(
        account_id=job.account_id,
        job_id=job.pk,
        lease_version=run.lease.version,
        endpoint="creator_info",
        request=lambda client, token: client.creator_info(access_token=token),
    )
    snapshot = creator_info_snapshot(info)
    TikTokAccount.objects.filter(pk=job.account_id).update(
        creator_info=snapshot, creator_info_fetched_at=Now()
    )
    return snapshot


# --- INIT_PENDING -----------------------------------------------------------------


def _reinit_is_safe(job: PublishJob) -> bool:
    # FILE_UPLOAD publishes nothing until the final chunk reaches a URL we hold.
    return job.source == FILE_UPLOAD


def _init(run: Run, job: PublishJob) -> None:
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
    faultpoint("after_init_response")
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
        _end(
            run,
            job,
            Status.PROCESSING,
            publish_id=result.publish_id,
            next_action_at=db_now()
            + timedelta(seconds=settings.TIKTOK_POLL_FIRST_SECONDS),
            transient_failure_count=0,
        )


def _retry_lost_init(run: Run, job: PublishJob, why: str) -> None:
    if not _reinit_is_safe(job):
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


def _init_request(job: PublishJob, media: JobMedia) -> tuple[str, Any]:
    choices = post_choices(job, media)
    try:
        if is_photo(media):
            photo = photo_post_request(choices, photo_urls(media))
            return "content_init", lambda client, token: client.init_photo(
                access_token=token, request=photo
            )
        source: FileUploadSource | PullFromUrlSource
        if job.source == PULL_FROM_URL:
            url = media_asset_pull_url(media.video)
            if url is None:
                raise MediaProblemError("The video's URL is no longer verified.")
            source = PullFromUrlSource(url)
        else:
            source = plan_chunks(
                media.video.size_bytes, settings.TIKTOK_CHUNK_SIZE
            ).as_source()
        if job.mode != DIRECT:
            return "inbox_video_init", lambda client, token: client.init_inbox_video(
                access_token=token, source=source
            )
        post = video_post_request(choices)
    except ValueError as error:
        raise MediaProblemError(str(error)) from error

    def direct(client: TikTokClient, token: str) -> PublishInit:
        return client.init_direct_video(access_token=token, post=post, source=source)

    return "video_init", direct


# --- UPLOADING --------------------------------------------------------------------


def _to_processing(run: Run, job: PublishJob, plan: ChunkPlan) -> None:
    _end(
        run,
        job,
        Status.PROCESSING,
        next_chunk=plan.total_chunk_count,
        bytes_confirmed=plan.video_size,
        transient_failure_count=0,
        next_action_at=db_now() + timedelta(seconds=settings.TIKTOK_POLL_FIRST_SECONDS),
    )


def _reinit(run: Run, job: PublishJob, why: str) -> None:
    """Start over with a new init; only after TikTok showed the old publish
    cannot complete (it failed, or its URL was refused before all bytes)."""
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


def _fetch_status(run: Run, job: PublishJob) -> PublishStatus:
    return call_api(
        account_id=job.account_id,
        job_id=job.pk,
        lease_version=run.lease.version,
        endpoint="status_fetch",
        request=lambda client, token: client.fetch_status(
            access_token=token, publish_id=job.publish_id
        ),
    )


def _resume_from_status(run: Run, job: PublishJob, plan: ChunkPlan) -> int | None:
    """Ask TikTok where the upload stands. Returns the chunk to send next, or
    None when the job has moved on (processing, re-init, failed)."""
    try:
        status = _fetch_status(run, job)
    except TikTokRejectedError as error:
        # TikTok does not know the publish (any more).
        if job.final_chunk_sent_at is None:
            _reinit(run, job, f"TikTok no longer knows the upload ({error.code})")
            return None
        raise NeedsPersonError(
            Status.NEEDS_REVIEW,
            f"The whole video was sent but TikTok no longer answers for it "
            f"({error.code}). Use 'Reconcile' to look for the post.",
        ) from error
    if status.status == PublishState.PROCESSING_UPLOAD:
        uploaded = min(status.uploaded_bytes or 0, plan.video_size)
        if uploaded >= plan.video_size:
            _to_processing(run, job, plan)
            return None
        if run.url_refused:
            _reinit(run, job, "TikTok refused the upload URL (expired)")
            return None
        index = plan.chunk_index_for(uploaded)
        publish_job_renew(
            lease=run.lease,
            status=Status.UPLOADING,
            next_chunk=index,
            bytes_confirmed=uploaded,
            last_tiktok_status=status.status,
        )
        return index
    if status.status == PublishState.FAILED:
        reason = status.fail_reason or ""
        if job.final_chunk_sent_at is None or reason in RETRYABLE_FAIL_REASONS:
            _reinit(run, job, f"TikTok failed the upload ({reason or 'no reason'})")
        else:
            publish_job_apply_status(job=job, status=status, lease=run.lease)
        return None
    # TikTok has everything (processing, in the inbox, or published already).
    _to_processing(run, job, plan)
    return None


def _upload(run: Run, job: PublishJob) -> None:
    media = job_media(job)
    asset = media.video
    if job.chunk_size is None or job.total_chunks is None or job.upload_url is None:
        _reinit(run, job, "the stored upload details are incomplete")
        return
    plan = ChunkPlan(asset.size_bytes, job.chunk_size, job.total_chunks)
    if run.fresh_upload:
        index: int | None = job.next_chunk
    else:
        index = _resume_from_status(run, job, plan)
        run.fresh_upload = True
    if index is None:
        return
    upload_url = job.upload_url.reveal()
    content_type = (
        asset.mime_type if asset.mime_type in UPLOAD_CONTENT_TYPES else "video/mp4"
    )
    mismatches = 0
    with asset.file.open("rb") as handle:
        while index < plan.total_chunk_count:
            first, last = plan.chunk_range(index)
            is_final = index == plan.total_chunk_count - 1
            marker = {"final_chunk_sent_at": Now()} if is_final else {}
            # The commit point's intent goes to the database before the bytes.
            publish_job_renew(lease=run.lease, status=Status.UPLOADING, **marker)
            body = FileRangeReader(handle, first, last - first + 1)
            try:
                result = _put_with_retries(
                    run,
                    job,
                    upload_url,
                    body,
                    first,
                    last,
                    plan,
                    content_type,
                    is_final,
                )
            except TikTokRangeMismatchError as error:
                mismatches += 1
                if error.uploaded_bytes is None or mismatches > MAX_RANGE_MISMATCHES:
                    run.fresh_upload = False
                    return
                uploaded = min(error.uploaded_bytes, plan.video_size)
                index = plan.chunk_index_for(uploaded)
                if index >= plan.total_chunk_count:
                    _to_processing(run, job, plan)
                    return
                publish_job_renew(
                    lease=run.lease,
                    status=Status.UPLOADING,
                    next_chunk=index,
                    bytes_confirmed=uploaded,
                )
                continue
            except TikTokAmbiguousError:
                # The final chunk's answer was lost: TikTok's status decides.
                run.fresh_upload = False
                return
            except TikTokRejectedError:
                # 403/404/400 on the upload: TikTok's status decides between
                # "it has everything" and a new init.
                run.url_refused = True
                run.fresh_upload = False
                return
            faultpoint(f"after_chunk_sent:{index + 1}")
            if result.is_complete:
                faultpoint("after_final_chunk")
                _to_processing(run, job, plan)
                return
            if is_final:
                run.fresh_upload = False
                return
            publish_job_renew(
                lease=run.lease,
                status=Status.UPLOADING,
                next_chunk=index + 1,
                bytes_confirmed=result.uploaded_bytes or last + 1,
                transient_failure_count=0,
            )
            faultpoint(f"after_chunk_commit:{index + 1}")
            index += 1
    # Every chunk was accepted with 206 and none said "complete": ask TikTok.
    run.fresh_upload = False


def _put_with_retries(
    run: Run,
    job: PublishJob,
    upload_url: str,
    body: FileRangeReader,
    first: int,
    last: int,
    plan: ChunkPlan,
    content_type: str,
    is_final: bool,
) -> ChunkUploadResult:
    # TikTok: "5xx: retry the same chunk". A few quick tries here; then the job
    # parks with its progress kept and resumes through a status fetch.
    for attempt in range(1, CHUNK_TRIES + 1):
        try:
            return put_chunk(
                account_id=job.account_id,
                job_id=job.pk,
                lease_version=run.lease.version,
                upload_url=upload_url,
                body=body,
                first=first,
                last=last,
                total=plan.video_size,
                content_type=content_type,
                is_final=is_final,
            )
        except TikTokTransientError:
            if attempt == CHUNK_TRIES:
                raise
            time.sleep(random.uniform(0, 0.5 * 2**attempt))  # noqa: S311
            publish_job_renew(lease=run.lease, status=Status.UPLOADING)
    raise AssertionError("unreachable")  # pragma: no cover
