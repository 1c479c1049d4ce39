"""Crashes, lost answers and duplicates, in-process (the worker-process versions
are in test_worker_faults.py)."""

from __future__ import annotations

import pytest

from tests.tiktok_integration.publishing.conftest import (
    MB,
    SimulatedCrashError,
    drive,
    expire_leases,
    scheduled_job,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxFault
from tiktok_sandbox.selectors import (
    sandbox_completed_publish_count,
    sandbox_init_count,
)
from tiktok_sandbox.services import sandbox_fault_add

Status = PublishJob.Status


def chunk_numbers() -> list[int]:
    return list(
        SandboxCall.objects.filter(endpoint=Endpoint.UPLOAD, http_status__in=[201, 206])
        .order_by("pk")
        .values_list("chunk_number", flat=True)
    )


def test_crash_after_chunk_3_of_7_resumes_from_tiktok_progress(account, crash_at):
    # given a 7-chunk video and a worker that dies after committing chunk 3
    job = scheduled_job(account, size=7 * 5 * MB + 123)
    crash_at("after_chunk_commit:3")
    claim = publish_dispatch_tick()[0]
    with pytest.raises(SimulatedCrashError):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    # when the lease runs out and the job is picked up again
    expire_leases()
    drive()
    # then one init, chunks 1-7 each once, one publish
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert sandbox_init_count() == 1
    assert chunk_numbers() == [1, 2, 3, 4, 5, 6, 7]
    assert job.attempt_count == 2
    assert sandbox_completed_publish_count() == 1


def test_crash_before_progress_commit_asks_tiktok_and_continues(account, crash_at):
    # given a worker that dies after chunk 2 was accepted but before saving it
    job = scheduled_job(account, size=4 * 5 * MB)
    crash_at("after_chunk_sent:2")
    claim = publish_dispatch_tick()[0]
    with pytest.raises(SimulatedCrashError):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    expire_leases()
    # when
    drive()
    # then TikTok's uploaded byte count said "continue at chunk 3"
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert chunk_numbers() == [1, 2, 3, 4]
    assert sandbox_init_count() == 1


def test_crash_after_the_final_chunk_reaches_published_without_resending(
    account, crash_at
):
    # given a worker that dies after the final 201, before PROCESSING is saved
    job = scheduled_job(account, size=2 * 5 * MB)
    crash_at("after_final_chunk")
    claim = publish_dispatch_tick()[0]
    with pytest.raises(SimulatedCrashError):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    expire_leases()
    # when
    drive()
    # then no re-init and no chunk sent again
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert sandbox_init_count() == 1
    assert chunk_numbers() == [1, 2]
    assert sandbox_completed_publish_count() == 1


def test_init_answered_then_dropped_reinits_once_and_records_the_orphan(account):
    # given TikTok creates the publish, then the connection drops
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    job = scheduled_job(account)
    # when
    drive()
    # then exactly two inits, the first never got a byte, one publish
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert sandbox_init_count() == 2
    assert len(job.orphan_publish_ids) == 1
    orphan_ids = set(
        SandboxCall.objects.filter(endpoint=Endpoint.VIDEO_INIT)
        .exclude(publish_id=job.publish_id)
        .values_list("publish_id", flat=True)
    )
    assert not SandboxCall.objects.filter(
        endpoint=Endpoint.UPLOAD, publish_id__in=orphan_ids
    ).exists()
    assert sandbox_completed_publish_count() == 1


def test_crash_after_init_answer_before_saving_it_reinits_safely(account, crash_at):
    # given the worker dies with TikTok's answer in hand, before storing it
    job = scheduled_job(account)
    crash_at("after_init_response")
    claim = publish_dispatch_tick()[0]
    with pytest.raises(SimulatedCrashError):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    expire_leases()
    # when
    drive()
    # then
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert sandbox_init_count() == 2
    assert sandbox_completed_publish_count() == 1


def test_the_same_message_twice_makes_one_set_of_calls(account):
    # given one claim delivered twice
    job = scheduled_job(account)
    claim = publish_dispatch_tick()[0]
    # when
    first = publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    second = publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    # then
    assert first == f"Now {Status.PROCESSING}."
    assert second.startswith("Not ours")
    assert sandbox_init_count() == 1


def test_a_stale_lease_version_does_nothing(account):
    # given a job claimed, then re-claimed by another dispatcher (version moved)
    job = scheduled_job(account)
    claim = publish_dispatch_tick()[0]
    PublishJob.objects.filter(pk=job.pk).update(lease_version=claim.lease_version + 1)
    # when
    note = publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    # then
    assert note.startswith("Not ours")
    assert SandboxCall.objects.count() == 0


def test_two_dispatchers_claim_each_job_once(account):
    # given
    job = scheduled_job(account)
    # when two ticks run
    first, second = publish_dispatch_tick(), publish_dispatch_tick()
    # then
    assert [claim.job_id for claim in first] == [job.pk]
    assert second == []


def test_a_message_no_worker_took_in_time_is_resent_without_using_an_attempt(account):
    # given a claimed job whose message sat in the queue past the lease
    job = scheduled_job(account)
    (first,) = publish_dispatch_tick()
    expire_leases()
    # when the tick hands it out again and both messages arrive
    (second,) = publish_dispatch_tick()
    late = publish_job_run(publish_job_id=job.pk, lease_version=first.lease_version)
    publish_job_run(publish_job_id=job.pk, lease_version=second.lease_version)
    drive()
    # then the late copy does nothing, the new one publishes, one attempt used
    job.refresh_from_db()
    assert second.lease_version == first.lease_version + 1
    assert late.startswith("Not ours")
    assert job.status == Status.PUBLISHED, job.failure_message
    assert job.attempt_count == 1
    assert sandbox_init_count() == 1


def test_a_message_no_worker_took_never_sends_the_job_to_review(account):
    # given a job on its last attempt whose message was lost
    job = scheduled_job(account, max_attempts=1)
    publish_dispatch_tick()
    expire_leases()
    # when the tick finds it
    claims = publish_dispatch_tick()
    # then it is handed out again instead of "the worker kept stopping"
    job.refresh_from_db()
    assert [claim.job_id for claim in claims] == [job.pk]
    assert (job.status, job.attempt_count) == (Status.CLAIMED, 1)
