"""Drive one claimed job through its in-flight steps, and settle how it stopped
(docs/reliability.md §4).

``publish_job_run`` takes the lease a message was sent for and runs the step
for the job's state, re-reading the job each time: CLAIMED → ``prepare``,
INIT_PENDING → ``init``, UPLOADING → ``upload``. Whatever stops a step ends
here: a temporary failure parks the job with a backoff (and a wake-up message),
a cap defers it (its planned time kept), and anything needing a person ends
the run in the state that says so.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from tiktok_integration.client import (
    TikTokAccountBlockedError,
    TikTokAmbiguousError,
    TikTokQuotaError,
    TikTokRejectedError,
    TikTokTransientError,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.calls import ParkError
from tiktok_integration.publishing.caps import (
    CapReachedError,
    cap_deferral_for,
    cap_reached_for_code,
)
from tiktok_integration.publishing.init import init
from tiktok_integration.publishing.leases import (
    LeaseLostError,
    lease_kept_alive,
    publish_job_acquire,
    publish_job_park,
)
from tiktok_integration.publishing.media import MediaProblemError
from tiktok_integration.publishing.prepare import prepare
from tiktok_integration.publishing.run_state import (
    NeedsPersonError,
    Run,
    end_step,
)
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_defer,
)
from tiktok_integration.publishing.upload import upload
from tiktok_integration.services.tokens import ReconnectRequiredError

logger = logging.getLogger(__name__)
Status = PublishJob.Status

MAX_STEPS_PER_RUN = 12
# Wake-up messages longer than this would sit in the broker; the dispatch tick
# picks such jobs up instead (docs/reliability.md: no countdown over ~2 minutes).
MAX_COUNTDOWN_SECONDS = 120.0


def publish_job_run(*, publish_job_id: int, lease_version: int) -> str:
    """Drive one claimed job as far as it goes now; returns a note for the log.

    A duplicate or stale message (lease version moved on, or held by a live
    worker) returns at once without any TikTok call. An error nobody foresaw is
    logged and raised with the lease kept, so the reclaim path retries it.
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
        # Renewed in the background while the steps run: a slow step or a
        # busy machine must not let another worker take the job meanwhile.
        with lease_kept_alive(lease):
            for _ in range(MAX_STEPS_PER_RUN):
                job = PublishJob.objects.select_related("post", "account").get(
                    pk=publish_job_id
                )
                if job.status not in PublishJob.IN_FLIGHT:
                    return f"Now {job.status}."
                if (job.lease_version, job.lease_owner) != (
                    lease.version,
                    lease.owner,
                ):
                    return "Lease lost."
                if job.status == Status.CLAIMED:
                    _wait_until_due(job)
                    prepare(run, job)
                elif job.status == Status.INIT_PENDING:
                    init(run, job)
                else:
                    upload(run, job)
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
    early = (job.due_at - db_now()).total_seconds()
    if 0 < early <= settings.TIKTOK_PUBLISH_DISPATCH_SECONDS + 1:
        time.sleep(early)


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
            end_step(
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
        end_step(
            run, job, Status.PAUSED_REAUTH, failure_message=error.reason, **withdraw
        )
        return "Paused: the account needs reconnecting."
    if isinstance(error, TikTokAccountBlockedError):
        end_step(
            run,
            job,
            Status.NEEDS_CONFIRMATION,
            failure_message=f"{error.staff_message} (log id {error.log_id or '-'})",
            **withdraw,
        )
        return "Needs confirmation: account blocked."
    if isinstance(error, NeedsPersonError):
        end_step(run, job, error.to, failure_message=error.message, **withdraw)
        return f"{error.to}: {error.message}"
    if isinstance(error, MediaProblemError):
        end_step(run, job, Status.FAILED, failure_message=str(error))
        return f"Failed: {error}"
    if isinstance(error, TikTokAmbiguousError):
        end_step(
            run,
            job,
            Status.NEEDS_REVIEW,
            failure_message=f"{error.staff_message} Use 'Reconcile' to look for it.",
        )
        return "Needs review: ambiguous outcome."
    if isinstance(error, TikTokRejectedError):
        end_step(
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
        # Imported here: tasks.py imports this module (see its docstring).
        from tiktok_integration.tasks import enqueue_publish_run

        # The wake-up carries the same version: it may take the lease only
        # once next_action_at has passed, and the dispatch tick is the net.
        enqueue_publish_run(
            publish_job_id=job.pk,
            lease_version=run.lease.version,
            countdown=delay + 0.5,
        )


def _reschedule(run: Run, job: PublishJob, error: Exception) -> str:
    if not isinstance(error, CapReachedError):
        assert isinstance(error, TikTokQuotaError)  # noqa: S101
        error = cap_reached_for_code(job, error.code)
    deferral = cap_deferral_for(job, error)
    try:
        publish_job_defer(
            publish_job_id=job.pk,
            lease_version=run.lease.version,
            owner=run.lease.owner,
            reason=deferral.reason,
            until=deferral.until,
            hold=deferral.hold,
            message=deferral.message,
        )
    except InvalidTransitionError:
        logger.info("Job %s moved on before it could be deferred", job.pk)
    if deferral.hold:
        return f"Held for staff ({deferral.reason})."
    return f"Deferred to {deferral.until:%Y-%m-%d %H:%M} UTC ({deferral.reason})."
