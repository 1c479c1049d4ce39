"""What TikTok's status means for a job, from polling or from a webhook (§4.8,
§9), and the poller.

Both paths go through ``publish_job_apply_status`` so they always agree; each
change is a compare-and-set, so whichever arrives second changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models.functions import Now

from tiktok_integration.client import (
    RETRYABLE_FAIL_REASONS,
    PublishState,
    PublishStatus,
    TikTokRejectedError,
    TikTokTransientError,
    describe_fail_reason,
)
from tiktok_integration.client.facts import Endpoint, PrivacyLevel
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.calls import ParkError, call_api
from tiktok_integration.publishing.leases import (
    Lease,
    LeaseLostError,
    publish_job_acquire,
    publish_job_release_poll,
)
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_transition,
)
from tiktok_integration.services.tokens import ReconnectRequiredError

logger = logging.getLogger(__name__)
Status = PublishJob.Status
RETRY_AFTER_TIKTOK_FAILURE = timedelta(seconds=60)


def public_post_url(username: str, post_id: str) -> str:
    """TikTok's page for a post (the sandbox's own page in sandbox mode)."""
    if not username:
        return ""
    return f"{settings.TIKTOK_WEB_URL.rstrip('/')}/@{username}/video/{post_id}"


def orphan_entry(publish_id: str | None, why: str, at: datetime) -> dict[str, Any]:
    return {"publish_id": publish_id, "why": why, "at": at.isoformat()}


def processing_backoff(job: PublishJob, now: datetime, *, cap: float) -> float:
    """5 s, then about half the time processing has taken so far, up to ``cap``:
    a geometric backoff that needs no counter."""
    since = job.processing_at or job.sent_to_inbox_at or now
    elapsed = max(0.0, (now - since).total_seconds())
    return min(cap, max(settings.TIKTOK_POLL_FIRST_SECONDS, elapsed / 2))


def _write(job: PublishJob, lease: Lease | None, to: str | None, **fields: Any) -> bool:
    """Transition (or just update, when ``to`` is None) fenced by the lease if
    there is one; False when another writer got there first."""
    if to is None:
        jobs = PublishJob.objects.filter(pk=job.pk, status=job.status)
        if lease is not None:
            jobs = jobs.filter(lease.fence())
        return jobs.update(updated_at=Now(), **fields) == 1
    try:
        publish_job_transition(
            publish_job_id=job.pk,
            to=to,
            lease_version=lease.version if lease else None,
            owner=lease.owner if lease else None,
            **fields,
        )
    except InvalidTransitionError:
        return False
    return True


def publish_job_apply_status(
    *, job: PublishJob, status: PublishStatus, lease: Lease | None = None
) -> str:
    """Move ``job`` as TikTok's ``status`` says; returns a note for the record."""
    now = db_now()
    post_ids = list(
        dict.fromkeys([*job.tiktok_post_ids, *status.publicly_available_post_ids])
    )
    state = status.status
    if state == PublishState.PUBLISH_COMPLETE:
        return _complete(job, lease, post_ids, now)
    if state == PublishState.SEND_TO_USER_INBOX:
        wait = processing_backoff(
            job, now, cap=settings.TIKTOK_INBOX_FOLLOW_MAX_SECONDS
        )
        fields = {
            "last_tiktok_status": state,
            "next_action_at": now + timedelta(seconds=wait),
        }
        if job.status == Status.SENT_TO_INBOX:
            _write(job, lease, None, **fields)
            return "Still waiting in the creator's inbox."
        _write(job, lease, Status.SENT_TO_INBOX, **fields)
        return "Delivered to the creator's TikTok inbox."
    if state == PublishState.FAILED:
        return _failed(job, lease, status.fail_reason or "internal", now)
    # Still processing (or a status TikTok added since): look again later.
    deadline = timedelta(hours=settings.TIKTOK_POLL_DEADLINE_HOURS)
    if (
        job.processing_at
        and now - job.processing_at > deadline
        and job.status in PublishJob.AWAITING_TIKTOK
    ):
        _write(
            job,
            lease,
            Status.NEEDS_REVIEW,
            next_action_at=None,
            last_tiktok_status=state,
            failure_message=(
                f"TikTok has been processing this post for over "
                f"{settings.TIKTOK_POLL_DEADLINE_HOURS} hours. Check it on TikTok, "
                "then mark it published or cancel it."
            ),
        )
        return "Processing deadline passed."
    wait = processing_backoff(job, now, cap=settings.TIKTOK_POLL_MAX_SECONDS)
    _write(
        job,
        lease,
        None,
        last_tiktok_status=state,
        next_action_at=now + timedelta(seconds=wait),
    )
    return f"TikTok is still processing ({state})."


def _complete(
    job: PublishJob, lease: Lease | None, post_ids: list[str], now: datetime
) -> str:
    # A public post gets its id only after moderation: keep asking for it.
    waits_for_id = (
        not post_ids
        and job.privacy_level == PrivacyLevel.PUBLIC_TO_EVERYONE
        and job.mode == PublishJob.Mode.DIRECT
    )
    follow_until = (job.published_at or now) + timedelta(
        hours=settings.TIKTOK_POLL_DEADLINE_HOURS
    )
    next_check = (
        now
        + timedelta(
            seconds=processing_backoff(job, now, cap=settings.TIKTOK_POLL_MAX_SECONDS)
        )
        if waits_for_id and now < follow_until
        else None
    )
    url = public_post_url(job.account.username, post_ids[0]) if post_ids else ""
    fields = {
        "tiktok_post_ids": post_ids,
        "public_url": url or job.public_url,
        "last_tiktok_status": PublishState.PUBLISH_COMPLETE,
        "next_action_at": next_check,
        "failure_message": "",
    }
    if job.status == Status.PUBLISHED:
        _write(job, lease, None, **fields)
        return "Published; post id recorded." if post_ids else "Published."
    if _write(job, lease, Status.PUBLISHED, **fields):
        return "Published."
    return "Already moved on."


def _failed(job: PublishJob, lease: Lease | None, reason: str, now: datetime) -> str:
    if job.status == Status.PUBLISHED:
        logger.warning("TikTok reported %s for published job %s", reason, job.pk)
        return f"TikTok reported '{reason}' after publishing; left as published."
    message = describe_fail_reason(reason)
    if reason in RETRYABLE_FAIL_REASONS and job.attempt_count < job.max_attempts:
        # TikTok failed this publish on its side, so nothing went out: a fresh
        # init is safe. The old id is kept for the record.
        when = now + RETRY_AFTER_TIKTOK_FAILURE
        if _write(
            job,
            lease,
            Status.SCHEDULED,
            **reset_for_new_init(job, f"TikTok failed it: {reason}", now),
            scheduled_at=when,
            lease_owner="",
            lease_expires_at=None,
            next_action_at=None,
            fail_reason=reason,
            failure_message=f"{message} Postdeck tries again at {when:%H:%M} UTC.",
        ):
            return f"TikTok failed it ({reason}); trying again."
        return "Already moved on."
    _write(
        job,
        lease,
        Status.FAILED,
        fail_reason=reason[:80],
        last_tiktok_status=PublishState.FAILED,
        failure_message=message,
        next_action_at=None,
    )
    return f"Failed: {reason}."


def reset_for_new_init(job: PublishJob, why: str, now: datetime) -> dict[str, Any]:
    """Fields that retire the job's publish_id to the orphan list, for a new init
    (only ever after TikTok has shown that the old one cannot publish)."""
    orphans = [*job.orphan_publish_ids]
    if job.publish_id:
        orphans.append(orphan_entry(job.publish_id, why, now))
    return {
        "publish_id": "",
        "upload_url": None,
        "orphan_publish_ids": orphans,
        "chunk_size": None,
        "total_chunks": None,
        "next_chunk": 0,
        "bytes_confirmed": 0,
        "init_requested_at": None,
        "final_chunk_sent_at": None,
    }


def publish_job_poll(*, publish_job_id: int, lease_version: int) -> str:
    """One status check for a claimed job; returns what happened, in words."""
    lease = publish_job_acquire(
        publish_job_id=publish_job_id,
        lease_version=lease_version,
        states=PublishJob.AT_TIKTOK,
    )
    if lease is None:
        return "Not ours (duplicate or stale message)."
    job = PublishJob.objects.select_related("account").get(pk=publish_job_id)
    retry_in: float | None = None
    try:
        status = call_api(
            account_id=job.account_id,
            job_id=job.pk,
            lease_version=lease.version,
            endpoint=Endpoint.STATUS_FETCH,
            request=lambda client, token: client.fetch_status(
                access_token=token, publish_id=job.publish_id
            ),
        )
        note = publish_job_apply_status(job=job, status=status, lease=lease)
    except ParkError as park:
        retry_in, note = park.delay, park.reason
    except TikTokTransientError as error:
        retry_in = processing_backoff(
            job, db_now(), cap=settings.TIKTOK_POLL_MAX_SECONDS
        )
        note = error.staff_message
    except ReconnectRequiredError as error:
        # Nothing can be asked until someone reconnects; the post itself is
        # already with TikTok, so keep it and look again later.
        retry_in, note = 600.0, str(error)
    except TikTokRejectedError as error:
        note = _status_refused(job, lease, error)
    except LeaseLostError:
        return "Lease lost."
    if retry_in is not None:
        _write(job, lease, None, next_action_at=db_now() + timedelta(seconds=retry_in))
    publish_job_release_poll(lease=lease)
    return note


def _status_refused(job: PublishJob, lease: Lease, error: TikTokRejectedError) -> str:
    if job.status == Status.PUBLISHED:
        _write(job, lease, None, next_action_at=None)
        return f"Stopped following the post id: {error.code}."
    _write(
        job,
        lease,
        Status.NEEDS_REVIEW,
        next_action_at=None,
        failure_message=(
            f"TikTok no longer answers for this publish ({error.code}); check the "
            "account on TikTok, then mark it published or retry."
        ),
    )
    return f"Needs review: {error.code}."
