"""Who may take a job's lease, for how long, and when a parked or checked job
is free again (SQLite and PostgreSQL alike).

A message takes the lease only if it was sent for the job's current version
and nobody live holds it: a duplicate, a stale or an early wake-up message
must not call TikTok. A parked job is free exactly when its wait is over; a
status check gives the job back so the next check can be claimed on time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from tests.factories.tiktok import PublishJobFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.leases import (
    DISPATCHED,
    POLL_LEASE,
    Lease,
    LeaseLostError,
    publish_job_acquire,
    publish_job_park,
    publish_job_release_poll,
    publish_job_renew,
    publish_jobs_claim_polls,
)

pytestmark = pytest.mark.django_db

Status = PublishJob.Status
GONE = "worker-7:4242:dead"
LIVE = "worker-8:4343:live"


def job_with(**fields: Any) -> PublishJob:
    values: dict[str, Any] = {
        "status": Status.UPLOADING,
        "lease_owner": DISPATCHED,
        "lease_version": 2,
        "lease_expires_at": timezone.now() + timedelta(minutes=5),
        "attempt_count": 1,
        "max_attempts": 3,
        "scheduled_at": timezone.now() - timedelta(minutes=10),
    }
    values.update(fields)
    return cast(PublishJob, PublishJobFactory(**values))


def acquire(job: PublishJob, version: int | None = None) -> Lease | None:
    return publish_job_acquire(
        publish_job_id=job.pk,
        lease_version=job.lease_version if version is None else version,
        states=PublishJob.IN_FLIGHT,
    )


def seconds_from_now(moment: datetime | None) -> float:
    assert moment is not None
    return (moment - timezone.now()).total_seconds()


# --- taking the lease ------------------------------------------------------------


def test_the_message_sent_for_a_claim_takes_a_whole_lease(settings):
    # (even when the message waited in the queue for most of the claim's lease)
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 300
    job = job_with(lease_expires_at=timezone.now() + timedelta(seconds=10))
    lease = acquire(job)
    job.refresh_from_db()
    assert lease == Lease(job.pk, 2, job.lease_owner)
    assert job.lease_owner not in ("", DISPATCHED)
    assert 290 < seconds_from_now(job.lease_expires_at) <= 300


def test_a_second_copy_of_the_message_finds_the_lease_taken():
    # the broker delivered the message twice: one worker only may call TikTok
    job = job_with()
    first = acquire(job)
    assert first is not None
    assert acquire(job) is None
    job.refresh_from_db()
    assert job.lease_owner == first.owner


def test_a_message_takes_only_its_own_job():
    # versions count per job, so other dispatched jobs share this one's number
    job, other = job_with(), job_with()
    assert acquire(job) is not None
    other.refresh_from_db()
    assert other.lease_owner == DISPATCHED
    assert acquire(other) is not None


def test_a_second_copy_of_a_wake_up_finds_the_woken_job_taken():
    # a parked job whose wait is over is taken by its wake-up message; the
    # broker delivers that message twice
    past = timezone.now() - timedelta(seconds=1)
    job = job_with(lease_owner="", next_action_at=past, lease_expires_at=past)
    first = acquire(job)
    assert first is not None
    assert acquire(job) is None
    job.refresh_from_db()
    assert job.lease_owner == first.owner


def test_a_message_of_an_older_claim_takes_nothing():
    job = job_with(lease_version=5)
    assert acquire(job, version=4) is None
    job.refresh_from_db()
    assert job.lease_owner == DISPATCHED


def test_a_message_for_a_job_in_another_state_takes_nothing():
    job = job_with(status=Status.PROCESSING)
    assert acquire(job) is None


def test_a_redelivered_message_takes_over_from_a_dead_worker_only_after_its_lease():
    # the worker that took the message died; the broker delivers it again
    job = job_with(lease_owner=GONE, lease_expires_at=timezone.now() + timedelta(1))
    assert acquire(job) is None
    PublishJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    lease = acquire(job)
    assert lease is not None
    job.refresh_from_db()
    assert job.lease_owner == lease.owner != GONE


@pytest.mark.parametrize(
    ("wait", "taken"),
    [(timedelta(seconds=30), False), (timedelta(seconds=-1), True), (None, True)],
    ids=["before its time", "after its time", "no time set"],
)
def test_a_wake_up_message_takes_a_parked_job_only_once_its_wait_is_over(wait, taken):
    next_action_at = None if wait is None else timezone.now() + wait
    job = job_with(
        lease_owner="",
        next_action_at=next_action_at,
        lease_expires_at=next_action_at,
    )
    assert (acquire(job) is not None) is taken


# --- renewing, parking and giving back -----------------------------------------------


def held(**fields: Any) -> tuple[PublishJob, Lease]:
    job = job_with(**fields)
    lease = acquire(job)
    assert lease is not None
    return job, lease


def test_renewing_extends_the_lease_and_writes_the_step_fields(settings):
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 300
    job, lease = held(lease_expires_at=timezone.now() + timedelta(seconds=5))
    PublishJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=5)
    )
    publish_job_renew(lease=lease, status=Status.UPLOADING, next_chunk=4)
    job.refresh_from_db()
    assert job.next_chunk == 4
    assert 290 < seconds_from_now(job.lease_expires_at) <= 300


def test_renewing_for_a_state_the_job_left_is_refused_and_writes_nothing():
    # the job moved on meanwhile (the step still believes it is uploading)
    job, lease = held()
    PublishJob.objects.filter(pk=job.pk).update(status=Status.INIT_PENDING)
    with pytest.raises(LeaseLostError):
        publish_job_renew(lease=lease, status=Status.UPLOADING, next_chunk=4)
    job.refresh_from_db()
    assert job.next_chunk != 4


def test_a_parked_job_is_free_again_exactly_when_its_wait_is_over():
    job, lease = held()
    until = publish_job_park(lease=lease, delay=30, transient_failure_count=2)
    job.refresh_from_db()
    assert until is not None
    assert 28 < seconds_from_now(until) <= 30
    assert job.next_action_at == job.lease_expires_at == until
    assert job.lease_owner == ""
    assert job.transient_failure_count == 2
    # its own wake-up message cannot take it early
    assert acquire(job) is None


def test_a_park_with_no_wait_can_be_taken_at_once():
    # "continue in a fresh task": the message sent right away must find it free
    job, lease = held()
    until = publish_job_park(lease=lease, delay=0)
    assert until is not None and seconds_from_now(until) <= 0
    assert acquire(job) is not None


def test_a_negative_wait_parks_until_now_not_in_the_past():
    _, lease = held()
    until = publish_job_park(lease=lease, delay=-60)
    assert until is not None and -5 < seconds_from_now(until) <= 0


def test_parking_a_job_that_left_the_upload_is_refused():
    # the job was cancelled by staff while the worker still held its lease
    job, lease = held()
    PublishJob.objects.filter(pk=job.pk).update(status=Status.CANCELLED)
    assert publish_job_park(lease=lease, delay=5) is None
    job.refresh_from_db()
    assert job.lease_owner == lease.owner


def test_every_lease_write_shows_as_the_jobs_last_change():
    # the admin lists jobs by their last change ("Updated", needing attention)
    job, lease = held()
    long_ago = timezone.now() - timedelta(days=1)

    def touched(write: Any) -> bool:
        PublishJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
        write()
        job.refresh_from_db()
        return job.updated_at > long_ago

    assert touched(lambda: publish_job_renew(lease=lease))
    assert touched(lambda: publish_job_park(lease=lease, delay=0))
    assert touched(lambda: acquire(job))


# --- status checks ----------------------------------------------------------------


def at_tiktok(**fields: Any) -> PublishJob:
    values: dict[str, Any] = {
        "status": Status.PROCESSING,
        "lease_owner": "",
        "lease_expires_at": None,
        "next_action_at": timezone.now() - timedelta(seconds=1),
        "publish_id": "v_pub_file~v2.1",
    }
    values.update(fields)
    return job_with(**values)


def test_a_due_status_check_is_claimed_for_a_short_lease():
    job = at_tiktok()
    before = timezone.now()
    claims = publish_jobs_claim_polls()
    job.refresh_from_db()
    assert [(claim.job_id, claim.lease_version) for claim in claims] == [(job.pk, 3)]
    assert job.lease_owner == DISPATCHED
    assert job.updated_at >= before
    left = seconds_from_now(job.lease_expires_at)
    assert POLL_LEASE.total_seconds() - 10 < left <= POLL_LEASE.total_seconds()


@pytest.mark.parametrize(
    "fields",
    [
        {"next_action_at": timezone.now() + timedelta(minutes=5)},
        {"lease_owner": LIVE, "lease_expires_at": timezone.now() + timedelta(1)},
        {"status": Status.UPLOADING},
        {"status": Status.NEEDS_REVIEW},
    ],
    ids=["not due yet", "being checked", "still uploading", "in review"],
)
def test_a_status_check_is_not_claimed(fields):
    job = at_tiktok(**fields)
    assert publish_jobs_claim_polls() == []
    job.refresh_from_db()
    assert job.lease_version == 2


def test_a_check_whose_worker_stopped_is_claimed_once_its_lease_ran_out():
    job = at_tiktok(
        lease_owner=GONE, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert [claim.job_id for claim in publish_jobs_claim_polls()] == [job.pk]


def test_status_checks_are_claimed_most_overdue_first_up_to_the_limit():
    now = timezone.now()
    recent = at_tiktok(next_action_at=now - timedelta(seconds=5))
    oldest = at_tiktok(next_action_at=now - timedelta(minutes=5))
    assert [claim.job_id for claim in publish_jobs_claim_polls(limit=1)] == [oldest.pk]
    assert [claim.job_id for claim in publish_jobs_claim_polls(limit=1)] == [recent.pk]


def test_a_finished_check_gives_the_job_back_for_the_next_one():
    job = at_tiktok()
    claim = publish_jobs_claim_polls()[0]
    lease = publish_job_acquire(
        publish_job_id=job.pk,
        lease_version=claim.lease_version,
        states=PublishJob.AT_TIKTOK,
    )
    assert lease is not None
    long_ago = timezone.now() - timedelta(days=1)
    PublishJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    publish_job_release_poll(lease=lease)
    job.refresh_from_db()
    assert (job.lease_owner, job.lease_expires_at) == ("", None)
    assert job.updated_at > long_ago
    # the next check, due at once, is claimed without waiting for the old lease
    assert [claim.job_id for claim in publish_jobs_claim_polls()] == [job.pk]
