"""A worker that loses its lease mid-step: every later write of its is refused.

The lease runs out while the worker is still busy (a long chunk, a paused
process); a tick hands the job to another worker. The old worker's renew,
park, release and status moves must then match no row and change nothing:
the fence is ``(lease_version, lease_owner)``, never the job id alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from tests.factories.tiktok import PublishJobFactory
from tests.tiktok_integration.publishing.conftest import MB, scheduled_job
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.leases import (
    DISPATCHED,
    Lease,
    LeaseLostError,
    publish_job_acquire,
    publish_job_park,
    publish_job_release_poll,
    publish_job_renew,
    publish_jobs_claim_polls,
    publish_jobs_reclaim,
)
from tiktok_integration.publishing.run import publish_job_run
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_transition,
)
from tiktok_sandbox.models import Endpoint, SandboxCall

Status = PublishJob.Status

# What each refused write would have changed; compared before and after.
WATCHED = (
    "status",
    "lease_version",
    "lease_owner",
    "lease_expires_at",
    "next_action_at",
    "next_chunk",
    "failure_message",
    "processing_at",
)


def snapshot(job_id: int) -> dict[str, Any]:
    return PublishJob.objects.values(*WATCHED).get(pk=job_id)


def run_out(job_id: int) -> None:
    """The holder's lease expires while it is still working."""
    PublishJob.objects.filter(pk=job_id).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def held_in_flight(status: str = Status.UPLOADING) -> tuple[PublishJob, Lease]:
    """A job in flight whose lease worker A took from a dispatched message."""
    job = cast(
        PublishJob,
        PublishJobFactory(
            status=status,
            lease_owner=DISPATCHED,
            lease_version=1,
            lease_expires_at=timezone.now() + timedelta(minutes=5),
            attempt_count=1,
            max_attempts=5,
            next_chunk=1,
        ),
    )
    lease = publish_job_acquire(
        publish_job_id=job.pk, lease_version=1, states=PublishJob.IN_FLIGHT
    )
    assert lease is not None
    return job, lease


def reclaimed_by_b(job_id: int) -> Lease:
    """The reclaim tick hands the job out again (a new version), B takes it."""
    run_out(job_id)
    claims, _ = publish_jobs_reclaim()
    assert [claim.job_id for claim in claims] == [job_id]
    lease = publish_job_acquire(
        publish_job_id=job_id,
        lease_version=claims[0].lease_version,
        states=PublishJob.IN_FLIGHT,
    )
    assert lease is not None
    return lease


def taken_over_by_b(job_id: int, version: int) -> Lease:
    """The same message is redelivered to B after A's lease ran out: the
    version is unchanged, only the owner differs."""
    run_out(job_id)
    lease = publish_job_acquire(
        publish_job_id=job_id, lease_version=version, states=PublishJob.IN_FLIGHT
    )
    assert lease is not None
    return lease


LOSSES = {"reclaimed": "reclaimed", "same message to another worker": "taken_over"}


def lose(job: PublishJob, lease: Lease, how: str) -> Lease:
    if how == "reclaimed":
        other = reclaimed_by_b(job.pk)
        assert other.version == lease.version + 1
    else:
        other = taken_over_by_b(job.pk, lease.version)
        assert other.version == lease.version
    assert other.owner != lease.owner
    return other


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("how", LOSSES.values(), ids=LOSSES.keys())
def test_renew_after_losing_the_lease_is_refused_and_changes_nothing(how):
    # given worker A lost the job to worker B
    job, lease = held_in_flight()
    lose(job, lease, how)
    before = snapshot(job.pk)
    # when A tries to extend its lease and record progress
    with pytest.raises(LeaseLostError):
        publish_job_renew(lease=lease, status=Status.UPLOADING, next_chunk=2)
    # then B's lease and the progress are untouched
    assert snapshot(job.pk) == before


@pytest.mark.parametrize("how", LOSSES.values(), ids=LOSSES.keys())
def test_park_after_losing_the_lease_is_refused_and_changes_nothing(how):
    job, lease = held_in_flight()
    lose(job, lease, how)
    before = snapshot(job.pk)
    # when A parks the job for a backoff
    until = publish_job_park(lease=lease, delay=30, failure_message="A backed off")
    # then B keeps the job: not parked, no message from A
    assert until is None
    assert snapshot(job.pk) == before


@pytest.mark.parametrize("how", LOSSES.values(), ids=LOSSES.keys())
def test_a_status_move_after_losing_the_lease_is_refused(how):
    job, lease = held_in_flight()
    lose(job, lease, how)
    before = snapshot(job.pk)
    # when A ends its step
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.PROCESSING,
            lease_version=lease.version,
            owner=lease.owner,
            lease_owner="",
            failure_message="A finished",
        )
    assert snapshot(job.pk) == before


def test_release_after_losing_a_status_check_leaves_the_new_holder_alone():
    # given worker A checking a processing job's status
    job = PublishJobFactory(
        status=Status.PROCESSING,
        publish_id="v_pub_file~v2.1",
        next_action_at=timezone.now() - timedelta(seconds=1),
    )
    claim = publish_jobs_claim_polls()[0]
    lease = publish_job_acquire(
        publish_job_id=job.pk,
        lease_version=claim.lease_version,
        states=PublishJob.AT_TIKTOK,
    )
    assert lease is not None
    # when A's lease runs out, the next poll tick hands the check to B
    run_out(job.pk)
    again = publish_jobs_claim_polls()[0]
    other = publish_job_acquire(
        publish_job_id=job.pk,
        lease_version=again.lease_version,
        states=PublishJob.AT_TIKTOK,
    )
    assert other is not None
    before = snapshot(job.pk)
    # and A, finally done, gives the lease back
    publish_job_release_poll(lease=lease)
    # then B still holds it
    assert snapshot(job.pk) == before
    assert before["lease_owner"] == other.owner


def test_a_worker_that_lost_its_lease_mid_upload_sends_no_more_chunks(
    account, monkeypatch
):
    # given a 4-chunk upload whose worker A is stalled after chunk 1 long
    # enough for its lease to run out and worker B to take the job
    job = scheduled_job(account, size=4 * 5 * MB)
    taken: list[Lease] = []

    def stall(name: str) -> None:
        if name == "after_chunk_commit:1" and not taken:
            taken.append(reclaimed_by_b(job.pk))

    monkeypatch.setattr("tiktok_integration.publishing.faultpoints.faultpoint", stall)
    claim = publish_dispatch_tick()[0]
    # when A carries on
    note = publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    # then A stops before sending chunk 2, and B's lease and progress stand
    assert note == "Lease lost."
    assert list(
        SandboxCall.objects.filter(endpoint=Endpoint.UPLOAD).values_list(
            "chunk_number", flat=True
        )
    ) == [1]
    job.refresh_from_db()
    assert job.status == Status.UPLOADING
    assert (job.lease_version, job.lease_owner) == (taken[0].version, taken[0].owner)
    assert job.next_chunk == 1
