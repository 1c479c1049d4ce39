"""Claiming jobs and holding them: leases fenced by (lease_version, lease_owner).

``lease_owner`` says who may act on an in-flight job:

- ``DISPATCHED``: a claim tick bumped the version and a message is on its way;
  the worker that receives a message with that version may take the lease.
- ``""``: parked on purpose (rate limit, backoff) until ``next_action_at``.
- anything else: a worker's id. Only that worker may write, until the lease
  runs out; then a tick claims the job again with a new version and the old
  worker's next write matches no row, so it stops before touching TikTok.
  While a step runs, ``lease_kept_alive`` renews the lease in the background,
  so a lease runs out only when its worker is gone (or frozen), never because
  a step or the machine is slow.

Due times and leases are compared with the database's clock (``db_now``). A
claim that moves a job (SCHEDULED → CLAIMED, or to review) goes through
``transitions``; the rest only write the lease columns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now

from cms.review.selectors import post_release_filter
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_claim,
    publish_job_transition,
)

logger = logging.getLogger(__name__)
Status = PublishJob.Status

DISPATCHED = "dispatched"
POLL_LEASE = timedelta(seconds=90)


class LeaseLostError(Exception):
    """Another worker holds this job now (or it left the state we worked on)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A job handed to a worker: send ``(job_id, lease_version)`` after commit."""

    job_id: int
    lease_version: int
    countdown: float = 0.0


@dataclass(slots=True)
class Lease:
    """What a running step holds; every write it makes is fenced by it."""

    job_id: int
    version: int
    owner: str

    def fence(self) -> Q:
        return Q(pk=self.job_id, lease_version=self.version, lease_owner=self.owner)


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:200]


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.TIKTOK_PUBLISH_LEASE_SECONDS)


def _claim_row(job_id: int, claim: Callable[[], bool]) -> int | None:
    """Run one compare-and-set ``claim`` inside a savepoint; the row's new
    version, or None when it did not match.

    The one-in-flight-per-account index turns a race for an account into an
    IntegrityError: that only means "not this account, this tick".
    """
    try:
        with transaction.atomic():
            if not claim():
                return None
    except IntegrityError:
        return None
    return PublishJob.objects.values_list("lease_version", flat=True).get(pk=job_id)


def _update_lease(job_id: int, values: dict[str, Any], condition: Q) -> bool:
    """Re-hand a job out without moving it: write the lease ``values``."""
    return PublishJob.objects.filter(condition, pk=job_id).update(**values) == 1


def _claim_scheduled(job_id: int, lease_expires_at: datetime) -> bool:
    try:
        publish_job_claim(
            publish_job_id=job_id,
            lease_owner=DISPATCHED,
            lease_expires_at=lease_expires_at,
        )
    except InvalidTransitionError:
        return False
    return True


def publish_jobs_claim_due(*, limit: int | None = None) -> list[Claim]:
    """Claim jobs due before the next tick, the earliest per free account.

    PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED`` so several
    dispatchers share the work; on SQLite the compare-and-set on ``status`` is
    the claim (its writers are serialised). Jobs due long ago wait for staff.
    A job whose post its workspace has not approved (``post_release_filter``:
    not Scheduled under an approval policy) is never claimed, however it was
    made and whatever its time.

    Backpressure, as for status checks: at most ``TIKTOK_PUBLISH_QUEUED_MAX``
    runs are claimed and sent but not yet started (``DISPATCHED`` with a lease
    still running), so a peak larger than the workers drain within a lease
    waits in the database instead of in the queue, where a run that outlived
    its lease would be claimed and sent again.
    """
    limit = limit or settings.TIKTOK_PUBLISH_BATCH_SIZE
    now = db_now()
    horizon = now + timedelta(seconds=settings.TIKTOK_PUBLISH_DISPATCH_SECONDS)
    late_before = now - timedelta(minutes=settings.TIKTOK_PUBLISH_LATE_HOLD_MINUTES)
    claims: list[Claim] = []
    with transaction.atomic():
        queued = PublishJob.objects.filter(
            status=Status.CLAIMED, lease_owner=DISPATCHED, lease_expires_at__gt=now
        ).count()
        limit = min(limit, settings.TIKTOK_PUBLISH_QUEUED_MAX - queued)
        if limit <= 0:
            return []
        # A job a cap deferred is due at its next try, not its planned time.
        candidates = list(
            PublishJob.objects.filter(
                Q(deferred_until__isnull=True, scheduled_at__lte=horizon)
                | Q(deferred_until__lte=horizon),
                post_release_filter("post__"),
                status=Status.SCHEDULED,
                account__status=TikTokAccount.Status.ACTIVE,
            )
            .annotate(due=Coalesce("deferred_until", "scheduled_at"))
            .order_by("due", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "account_id", "due")[:limit]
        )
        accounts = {account_id for _, account_id, _ in candidates}
        busy = set(
            PublishJob.objects.filter(
                account_id__in=accounts, status__in=PublishJob.IN_FLIGHT
            ).values_list("account_id", flat=True)
        )
        for job_id, account_id, scheduled_at in candidates:
            if scheduled_at < late_before:
                _hold_late(job_id, scheduled_at)
                continue
            if account_id in busy:
                continue
            start = max(scheduled_at, now)
            version = _claim_row(
                job_id, partial(_claim_scheduled, job_id, start + lease_duration())
            )
            if version is None:
                continue
            busy.add(account_id)
            countdown = max(0.0, (scheduled_at - now).total_seconds())
            claims.append(Claim(job_id, version, countdown))
    return claims


def _hold_late(job_id: int, scheduled_at: datetime) -> None:
    try:
        publish_job_transition(
            publish_job_id=job_id,
            to=Status.NEEDS_CONFIRMATION,
            require=Q(status=Status.SCHEDULED),
            failure_message=(
                f"This post was due at {scheduled_at:%Y-%m-%d %H:%M} UTC and was "
                "not sent in time (were the workers stopped?). Publishing it this "
                "late needs a person: use 'Publish now' to send it, or cancel it."
            ),
        )
    except InvalidTransitionError:
        return  # claimed or changed by staff meanwhile: nothing to hold


def publish_jobs_reclaim(*, limit: int | None = None) -> tuple[list[Claim], int]:
    """Hand out again in-flight jobs nobody is working on.

    A parked job whose time has come (its own countdown message is the fast
    path; this is the safety net) is claimed without counting an attempt, and
    so is a dispatched job whose message no worker took in time (lost, or
    still queued behind others): no work started, so nothing failed. A job
    whose worker's lease ran out (the worker died or froze) counts one; past
    ``max_attempts`` it goes to Needs review instead, which is what stops a
    job that kills its worker from looping. Returns the claims and how many
    jobs went to review.
    """
    limit = limit or settings.TIKTOK_PUBLISH_BATCH_SIZE
    now = db_now()
    grace = timedelta(seconds=2 * settings.TIKTOK_PUBLISH_DISPATCH_SECONDS)
    abandoned = ~Q(lease_owner="") & (
        Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True)
    )
    parked_and_due = Q(lease_owner="") & (
        Q(next_action_at__lte=now - grace) | Q(next_action_at__isnull=True)
    )
    claims: list[Claim] = []
    reviewed = 0
    with transaction.atomic():
        rows = list(
            PublishJob.objects.filter(status__in=PublishJob.IN_FLIGHT)
            .filter(abandoned | parked_and_due)
            .order_by("lease_expires_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "lease_owner", "attempt_count", "max_attempts")[:limit]
        )
        for job_id, owner, attempts, max_attempts in rows:
            worker_gone = owner not in ("", DISPATCHED)
            if worker_gone and attempts >= max_attempts:
                reviewed += _review_exhausted(job_id, owner)
                continue
            version = _claim_row(
                job_id,
                partial(
                    _update_lease,
                    job_id,
                    {
                        "lease_owner": DISPATCHED,
                        "lease_expires_at": now + lease_duration(),
                        "lease_version": F("lease_version") + 1,
                        "attempt_count": F("attempt_count") + int(worker_gone),
                        "updated_at": Now(),
                    },
                    Q(status__in=PublishJob.IN_FLIGHT, lease_owner=owner),
                ),
            )
            if version is not None:
                claims.append(Claim(job_id, version))
    if reviewed:
        logger.warning("%d publish jobs exhausted their attempts", reviewed)
    return claims, reviewed


def _review_exhausted(job_id: int, owner: str) -> int:
    try:
        publish_job_transition(
            publish_job_id=job_id,
            to=Status.NEEDS_REVIEW,
            owner=owner,
            require=Q(status__in=PublishJob.IN_FLIGHT),
            lease_owner="",
            lease_expires_at=None,
            next_action_at=None,
            failure_message=(
                "The worker publishing this post stopped without finishing, too "
                "many times (it may have run out of memory or been killed). Use "
                "'Reconcile' to check TikTok before retrying."
            ),
        )
    except InvalidTransitionError:
        return 0
    return 1


def publish_jobs_claim_polls(*, limit: int | None = None) -> list[Claim]:
    """Claim jobs whose status check is due (processing, in the inbox, or
    published and waiting for TikTok's public post id), most overdue first.

    Backpressure: at most ``TIKTOK_POLL_QUEUED_MAX`` checks are sent and not
    yet started (``DISPATCHED`` with a lease still running) at any time, so a
    tick sends only what the workers have drained since the last one. Without
    it a backlog fed on itself: a check that waited in the queue longer than
    ``POLL_LEASE`` was claimed again with a new version, its first message
    became a stale no-op that still cost a task and its SQL, and the queue
    grew by a batch every tick (bench/bench_scale.py at full size: 9,133 jobs
    waiting for a check). A message that was lost is sent again once its
    lease runs out, as before.

    One ``UPDATE`` claims the whole batch (its rows are locked ``FOR UPDATE
    SKIP LOCKED`` first on PostgreSQL; on SQLite the update's own condition is
    the compare-and-set), so a tick costs the same few queries at any batch
    size and any backlog. Returns the claims to send after commit.
    """
    limit = limit or settings.TIKTOK_PUBLISH_BATCH_SIZE
    now = db_now()
    expires = now + POLL_LEASE
    due = Q(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now),
        status__in=PublishJob.AT_TIKTOK,
        next_action_at__lte=now,
    )
    with transaction.atomic():
        queued = PublishJob.objects.filter(
            status__in=PublishJob.AT_TIKTOK,
            lease_owner=DISPATCHED,
            lease_expires_at__gt=now,
        ).count()
        room = min(limit, settings.TIKTOK_POLL_QUEUED_MAX - queued)
        if room <= 0:
            return []
        ids = list(
            PublishJob.objects.filter(due)
            .order_by("next_action_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:room]
        )
        if not ids:
            return []
        PublishJob.objects.filter(due, pk__in=ids).update(
            lease_owner=DISPATCHED,
            lease_expires_at=expires,
            lease_version=F("lease_version") + 1,
            updated_at=Now(),
        )
        claimed = dict(
            PublishJob.objects.filter(
                pk__in=ids, lease_owner=DISPATCHED, lease_expires_at=expires
            ).values_list("pk", "lease_version")
        )
    return [Claim(job_id, claimed[job_id]) for job_id in ids if job_id in claimed]


def publish_job_acquire(
    *, publish_job_id: int, lease_version: int, states: tuple[str, ...]
) -> Lease | None:
    """Take the lease a message was sent for; None if it is not ours to take.

    A duplicate or stale message (another version, or the lease already taken
    by a live worker) gets None and must not call TikTok.
    """
    owner = new_owner()
    now = db_now()
    takeable = (
        Q(lease_owner=DISPATCHED)
        | Q(lease_owner="", next_action_at__isnull=True)
        | Q(lease_owner="", next_action_at__lte=now)
        | Q(lease_expires_at__lte=now)
    )
    updated = (
        PublishJob.objects.filter(
            takeable,
            pk=publish_job_id,
            lease_version=lease_version,
            status__in=states,
        )
        .exclude(lease_owner=owner)
        .update(
            lease_owner=owner,
            lease_expires_at=now + lease_duration(),
            updated_at=Now(),
        )
    )
    if updated != 1:
        return None
    return Lease(publish_job_id, lease_version, owner)


def publish_job_renew(
    *, lease: Lease, status: str | None = None, **fields: Any
) -> None:
    """Extend the lease (and write ``fields``) if we still hold it.

    Raises LeaseLostError when another worker took the job or it left
    ``status``; the caller must then stop without calling TikTok.
    """
    jobs = PublishJob.objects.filter(lease.fence())
    if status is not None:
        jobs = jobs.filter(status=status)
    updated = jobs.update(
        lease_expires_at=db_now() + lease_duration(), updated_at=Now(), **fields
    )
    if updated != 1:
        raise LeaseLostError(f"Publish job {lease.job_id} lease lost")


def _extend(lease: Lease) -> bool:
    return (
        PublishJob.objects.filter(
            lease.fence(), status__in=PublishJob.IN_FLIGHT
        ).update(lease_expires_at=db_now() + lease_duration(), updated_at=Now())
        == 1
    )


@contextlib.contextmanager
def lease_kept_alive(lease: Lease) -> Iterator[None]:
    """Renew ``lease`` every third of its duration on a background thread
    while the body runs (a slow HTTP call, a long chunk, a wait for the due
    second), so only a dead or frozen worker loses it.

    The thread stops at the end of the body, or as soon as the lease is no
    longer ours (parked, ended, taken over): the body's next fenced write then
    raises ``LeaseLostError`` as before. It dies with its process, so a killed
    worker's lease runs out as it should. Database errors in the thread are
    logged; the lease then simply runs out.
    """
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(lease_duration().total_seconds() / 3):
                if not _extend(lease):
                    return
        except Exception:
            logger.exception(
                "Renewing the lease of publish job %s failed", lease.job_id
            )
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(
        target=renew, name=f"lease-{lease.job_id}-{lease.version}", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # Bounded: a renewal blocked on a row lock the caller still holds (a
        # caller inside a transaction) must not hang the run. A late renewal
        # is fenced, so it cannot revive a lease the run gave up.
        thread.join(timeout=5)


def publish_job_park(*, lease: Lease, delay: float, **fields: Any) -> datetime | None:
    """Release the job until ``delay`` seconds from now; returns when, or None
    if the lease was already lost. The caller sends the wake-up message."""
    until = db_now() + timedelta(seconds=max(0.0, delay))
    updated = PublishJob.objects.filter(
        lease.fence(), status__in=PublishJob.IN_FLIGHT
    ).update(
        lease_owner="",
        lease_expires_at=until,
        next_action_at=until,
        updated_at=Now(),
        **fields,
    )
    return until if updated == 1 else None


def publish_job_release_poll(*, lease: Lease) -> None:
    """End a status check: give the lease back (next_action_at says when next)."""
    PublishJob.objects.filter(lease.fence()).update(
        lease_owner="", lease_expires_at=None, updated_at=Now()
    )
