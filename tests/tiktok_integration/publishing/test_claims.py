"""What a dispatch tick hands out, holds back or gives up on (SQLite and
PostgreSQL alike; the concurrent claims are in ``test_claim_postgres.py``).

- A job due longer ago than the late hold waits for a person instead of being
  posted hours late; one only a little late is posted.
- A job whose worker died is handed out again with an attempt counted, until
  its attempts are used up: then Needs review, never a further try. A message
  nobody took, or a parked job whose wait is over, costs no attempt.
- A step that takes longer than the lease keeps its lease (renewed in the
  background), so no second worker gets the job while it runs.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from tests.factories.tiktok import PublishJobFactory
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import (
    publish_dispatch_tick,
    publish_reconcile_tick,
)
from tiktok_integration.publishing.leases import (
    DISPATCHED,
    Lease,
    lease_kept_alive,
    publish_job_acquire,
    publish_jobs_claim_due,
    publish_jobs_reclaim,
)
from tiktok_sandbox.models import Endpoint, SandboxCall

Status = PublishJob.Status
pytestmark = pytest.mark.django_db

GONE = "worker-7:4242:dead"  # a worker id whose process is gone


def seconds_left(moment: datetime | None) -> float:
    assert moment is not None
    return (moment - timezone.now()).total_seconds()


def inits() -> int:
    return SandboxCall.objects.filter(endpoint=Endpoint.VIDEO_INIT).count()


# --- the late hold ---------------------------------------------------------------


def test_a_job_due_longer_ago_than_the_hold_waits_for_a_person(account, settings):
    # given the workers were stopped for longer than the late hold
    settings.TIKTOK_PUBLISH_LATE_HOLD_MINUTES = 120
    late = scheduled_job(account, scheduled_at=timezone.now() - timedelta(minutes=125))
    # when they come back
    drive()
    # then it is not posted two hours late by itself: staff decide
    late.refresh_from_db()
    assert late.status == Status.NEEDS_CONFIRMATION
    assert late.failure_message == (
        f"This post was due at {late.scheduled_at:%Y-%m-%d %H:%M} UTC and was not "
        "sent in time (were the workers stopped?). Publishing it this late needs a "
        "person: use 'Publish now' to send it, or cancel it."
    )
    assert inits() == 0


def test_a_job_late_within_the_hold_is_posted(account, settings):
    settings.TIKTOK_PUBLISH_LATE_HOLD_MINUTES = 120
    job = scheduled_job(account, scheduled_at=timezone.now() - timedelta(minutes=110))
    drive()
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert inits() == 1


def test_a_held_late_job_does_not_stop_the_tick_from_posting_the_next_one(
    account, settings
):
    # given a job past the hold ahead of a due job
    settings.TIKTOK_PUBLISH_LATE_HOLD_MINUTES = 120
    late = scheduled_job(account, scheduled_at=timezone.now() - timedelta(minutes=300))
    due = scheduled_job(account, scheduled_at=timezone.now() - timedelta(seconds=5))
    # when one tick runs
    claims = publish_dispatch_tick()
    # then the late one is held and the due one is handed out in the same tick
    late.refresh_from_db()
    assert late.status == Status.NEEDS_CONFIRMATION
    assert [claim.job_id for claim in claims] == [due.pk]


# --- reclaiming abandoned jobs -------------------------------------------------------


def in_flight(**fields: Any) -> PublishJob:
    """A job in the middle of its upload, as a worker left it."""
    values: dict[str, Any] = {
        "status": Status.UPLOADING,
        "lease_owner": GONE,
        "lease_version": 3,
        "lease_expires_at": timezone.now() - timedelta(seconds=5),
        "attempt_count": 1,
        "max_attempts": 3,
        "scheduled_at": timezone.now() - timedelta(minutes=10),
    }
    values.update(fields)
    return cast(PublishJob, PublishJobFactory(**values))


def test_a_job_whose_worker_died_is_handed_out_again_with_an_attempt_counted(
    settings,
):
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 300
    job = in_flight(attempt_count=2)
    claims, reviewed = publish_jobs_reclaim()
    job.refresh_from_db()
    assert claims == [claims[0]] and claims[0].job_id == job.pk
    assert claims[0].lease_version == job.lease_version == 4
    assert reviewed == 0
    assert job.status == Status.UPLOADING
    assert job.lease_owner == DISPATCHED
    assert job.attempt_count == 3
    # the new holder gets a whole lease from now
    assert 290 < seconds_left(job.lease_expires_at) <= 300


def test_a_job_that_used_up_its_attempts_goes_to_review_and_is_not_tried_again():
    # given its worker died on the last attempt (a job that kills its worker)
    job = in_flight(
        attempt_count=3,
        max_attempts=3,
        next_action_at=timezone.now() - timedelta(minutes=1),
    )
    # when the reconcile tick finds it
    claims, counts = publish_reconcile_tick()
    # then a person is asked; nothing is handed out
    job.refresh_from_db()
    assert claims == []
    assert counts["reviewed"] == 1
    assert job.status == Status.NEEDS_REVIEW
    assert job.failure_message == (
        "The worker publishing this post stopped without finishing, too many "
        "times (it may have run out of memory or been killed). Use 'Reconcile' to "
        "check TikTok before retrying."
    )
    assert (job.lease_owner, job.lease_expires_at, job.next_action_at) == (
        "",
        None,
        None,
    )
    assert job.lease_version == 3
    # and a later tick leaves it alone
    assert publish_jobs_reclaim() == ([], 0)


def test_an_exhausted_job_does_not_stop_the_reclaim_of_the_next_one():
    exhausted = in_flight(
        attempt_count=3, lease_expires_at=timezone.now() - timedelta(minutes=2)
    )
    other = in_flight(attempt_count=1)
    claims, reviewed = publish_jobs_reclaim()
    assert reviewed == 1
    assert [claim.job_id for claim in claims] == [other.pk]
    exhausted.refresh_from_db()
    assert exhausted.status == Status.NEEDS_REVIEW


def test_the_operators_log_counts_every_job_sent_to_review(caplog):
    for _ in range(2):
        in_flight(attempt_count=3)
    with caplog.at_level(logging.WARNING):
        _, counts = publish_reconcile_tick()
    assert counts["reviewed"] == 2
    assert "2 publish jobs exhausted their attempts" in caplog.messages


def test_a_message_nobody_took_is_sent_again_without_an_attempt_even_at_the_limit():
    # no worker started, so nothing failed: the attempts are not used up
    job = in_flight(lease_owner=DISPATCHED, attempt_count=3, max_attempts=3)
    claims, reviewed = publish_jobs_reclaim()
    job.refresh_from_db()
    assert reviewed == 0
    assert [claim.job_id for claim in claims] == [job.pk]
    assert job.status == Status.UPLOADING
    assert job.attempt_count == 3
    assert job.lease_version == 4


def test_a_parked_job_is_picked_up_after_its_wait_plus_the_grace(settings):
    # its own countdown message is the fast path; the tick waits a grace first
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 5
    now = timezone.now()
    waiting = in_flight(lease_owner="", next_action_at=now + timedelta(seconds=30))
    in_grace = in_flight(lease_owner="", next_action_at=now - timedelta(seconds=5))
    overdue = in_flight(lease_owner="", next_action_at=now - timedelta(seconds=12))
    never_set = in_flight(lease_owner="", next_action_at=None)
    claims, _ = publish_jobs_reclaim()
    assert {claim.job_id for claim in claims} == {overdue.pk, never_set.pk}
    for job in (waiting, in_grace):
        job.refresh_from_db()
        assert job.lease_owner == ""
    overdue.refresh_from_db()
    assert overdue.attempt_count == 1
    assert overdue.lease_owner == DISPATCHED


def test_a_job_whose_lease_is_still_running_is_left_to_its_worker():
    alive = in_flight(lease_expires_at=timezone.now() + timedelta(minutes=1))
    assert publish_jobs_reclaim() == ([], 0)
    alive.refresh_from_db()
    assert (alive.lease_owner, alive.lease_version) == (GONE, 3)


def test_a_lease_without_an_end_counts_as_abandoned():
    job = in_flight(lease_expires_at=None)
    claims, _ = publish_jobs_reclaim()
    assert [claim.job_id for claim in claims] == [job.pk]


# --- the lease kept alive while a step runs --------------------------------------


def taken_lease(job: PublishJob) -> Lease:
    lease = publish_job_acquire(
        publish_job_id=job.pk,
        lease_version=job.lease_version,
        states=PublishJob.IN_FLIGHT,
    )
    assert lease is not None
    return lease


@pytest.mark.django_db(transaction=True)
def test_a_step_slower_than_its_lease_keeps_the_job(settings):
    # given a 3-second lease (renewed every second) and a step that takes 7 s
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 3
    job = in_flight(lease_owner=DISPATCHED)
    lease = taken_lease(job)
    started = timezone.now()
    with lease_kept_alive(lease):
        time.sleep(7)
    # then the lease still runs (so no tick hands the job to a second worker)
    job.refresh_from_db()
    assert job.lease_owner == lease.owner
    assert seconds_left(job.lease_expires_at) > 0
    assert publish_jobs_reclaim() == ([], 0)
    # and the admin shows the job as alive ("Updated" moves with each renewal)
    assert job.updated_at > started + timedelta(seconds=2)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_job_stops_renewing_the_new_holders_lease(settings):
    # given worker A's job was handed to worker B (A froze past its lease),
    # and B died at once
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 3
    job = in_flight(lease_owner=DISPATCHED)
    lease = taken_lease(job)
    with lease_kept_alive(lease):
        PublishJob.objects.filter(pk=job.pk).update(
            lease_version=lease.version + 1,
            lease_owner=GONE,
            lease_expires_at=timezone.now() - timedelta(seconds=1),
        )
        time.sleep(2.5)
    # then A's renewals never kept B's lease alive: the job can be rescued
    claims, _ = publish_jobs_reclaim()
    assert [claim.job_id for claim in claims] == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_the_renewal_stops_when_the_job_leaves_the_upload(settings):
    # given a step whose job was cancelled by staff meanwhile
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 3
    job = in_flight(lease_owner=DISPATCHED)
    lease = taken_lease(job)
    with lease_kept_alive(lease):
        PublishJob.objects.filter(pk=job.pk).update(status=Status.CANCELLED)
        expires = PublishJob.objects.get(pk=job.pk).lease_expires_at
        time.sleep(2.5)
    # then the cancelled job's lease is not kept alive behind staff's back
    assert PublishJob.objects.get(pk=job.pk).lease_expires_at == expires


# --- what a tick claims ------------------------------------------------------------


def scheduled(seconds: float, **fields: Any) -> PublishJob:
    """A scheduled job due ``seconds`` from now (negative: overdue)."""
    return cast(
        PublishJob,
        PublishJobFactory(
            scheduled_at=timezone.now() + timedelta(seconds=seconds), **fields
        ),
    )


def test_a_job_due_before_the_next_tick_is_claimed_early_with_a_countdown(settings):
    # given ticks every 5 s: a job due in 3 s must not wait for the next one
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 5
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 300
    soon = scheduled(3)
    later = scheduled(30)
    claims = publish_jobs_claim_due()
    # then the message waits for the due second, and the lease covers the step
    # from the due second on
    assert [claim.job_id for claim in claims] == [soon.pk]
    assert 2 < claims[0].countdown <= 3
    soon.refresh_from_db()
    assert soon.status == Status.CLAIMED
    assert soon.lease_owner == DISPATCHED
    assert soon.lease_version == claims[0].lease_version
    assert soon.lease_expires_at == soon.scheduled_at + timedelta(seconds=300)
    later.refresh_from_db()
    assert later.status == Status.SCHEDULED


def test_an_overdue_job_is_sent_at_once_with_a_lease_from_now(settings):
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 300
    job = scheduled(-60)
    claims = publish_jobs_claim_due()
    assert [claim.countdown for claim in claims] == [0.0]
    job.refresh_from_db()
    assert 290 < seconds_left(job.lease_expires_at) <= 300


def test_one_account_sends_one_post_at_a_time_the_earliest_first(account):
    # (the later one was scheduled first)
    second = scheduled_job(account, scheduled_at=timezone.now() - timedelta(minutes=1))
    first = scheduled_job(account, scheduled_at=timezone.now() - timedelta(minutes=2))
    assert [claim.job_id for claim in publish_jobs_claim_due()] == [first.pk]
    # while the first is in flight, the tick leaves the second alone
    assert publish_jobs_claim_due() == []
    second.refresh_from_db()
    assert second.status == Status.SCHEDULED


def test_an_account_busy_with_a_post_does_not_hold_up_other_accounts():
    # given account A still sending a post, with its next one due first
    sending = in_flight(lease_expires_at=timezone.now() + timedelta(minutes=5))
    waiting = scheduled(
        -60, account=sending.account, post__workspace=sending.post.workspace
    )
    other = scheduled(-30)
    # when a tick runs, then B's post goes out and A's waits its turn
    assert [claim.job_id for claim in publish_jobs_claim_due()] == [other.pk]
    waiting.refresh_from_db()
    assert waiting.status == Status.SCHEDULED


def test_a_tick_claims_at_most_a_batch_earliest_first(settings):
    settings.TIKTOK_PUBLISH_BATCH_SIZE = 2
    jobs = [scheduled(-60 + second) for second in reversed(range(3))][::-1]
    assert [claim.job_id for claim in publish_jobs_claim_due()] == [
        jobs[0].pk,
        jobs[1].pk,
    ]
    assert [claim.job_id for claim in publish_jobs_claim_due(limit=5)] == [jobs[2].pk]


def test_a_job_of_an_account_that_needs_reconnecting_is_not_claimed():
    job = scheduled(-5)
    type(job.account).objects.filter(pk=job.account_id).update(
        status=type(job.account).Status.REAUTH_REQUIRED
    )
    assert publish_jobs_claim_due() == []


def test_reclaims_are_limited_to_a_batch_longest_abandoned_first(settings):
    settings.TIKTOK_PUBLISH_BATCH_SIZE = 1
    recent = in_flight(lease_expires_at=timezone.now() - timedelta(seconds=5))
    oldest = in_flight(lease_expires_at=timezone.now() - timedelta(minutes=5))
    assert [claim.job_id for claim in publish_jobs_reclaim()[0]] == [oldest.pk]
    assert [claim.job_id for claim in publish_jobs_reclaim(limit=3)[0]] == [recent.pk]
