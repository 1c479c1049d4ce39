"""Publish runs under a peak (the same kind of fault as the status checks'
backlog, bench/bench_scale.py): the dispatch tick sends no more runs than the
workers have started, so a run waiting in the queue is not claimed again when
its lease runs out, and every post still goes out once, in due order.
Against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.tiktok_integration.publishing.conftest import (
    connect,
    drive,
    scheduled_job,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.selectors import sandbox_init_count
from tiktok_sandbox.services import sandbox_creator_create

Status = PublishJob.Status


def _due_on_their_own_accounts(count: int) -> list[PublishJob]:
    due = timezone.now() - timedelta(seconds=1)
    return [
        scheduled_job(
            connect(sandbox_creator_create(username=f"peak.{index}")),
            scheduled_at=due + timedelta(milliseconds=index),
        )
        for index in range(count)
    ]


def test_a_peak_is_sent_as_the_workers_start_it_and_published_once(
    sandbox: Any, settings: Any
) -> None:
    # given 5 posts due at once, and at most 2 runs waiting in the queue
    settings.TIKTOK_PUBLISH_QUEUED_MAX = 2
    jobs = _due_on_their_own_accounts(5)
    # when the dispatcher ticks twice before any worker starts
    first = publish_dispatch_tick()
    second = publish_dispatch_tick()
    # then it sent the two earliest, and nothing more while they wait
    assert [claim.job_id for claim in first] == [jobs[0].pk, jobs[1].pk]
    assert second == []
    # when a worker starts one, the next tick sends one more
    publish_job_run(
        publish_job_id=first[0].job_id, lease_version=first[0].lease_version
    )
    third = publish_dispatch_tick()
    assert [claim.job_id for claim in third] == [jobs[2].pk]
    # and once the workers run what was sent, the rest drain: every post
    # published, each initialised once
    for claim in (first[1], *third):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    drive(rounds=20)
    assert set(PublishJob.objects.values_list("status", flat=True)) == {
        Status.PUBLISHED
    }
    assert sandbox_init_count() == 5


def test_a_run_lost_in_the_queue_is_sent_again_once_its_lease_runs_out(
    sandbox: Any, settings: Any
) -> None:
    settings.TIKTOK_PUBLISH_QUEUED_MAX = 1
    jobs = _due_on_their_own_accounts(2)
    [lost] = publish_dispatch_tick()
    assert publish_dispatch_tick() == []
    # when the message is lost and its lease runs out
    PublishJob.objects.filter(pk=lost.job_id).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    claims = publish_dispatch_tick()
    # then it is claimed again (a new version; the old message is stale)
    again = [claim for claim in claims if claim.job_id == jobs[0].pk]
    assert [claim.lease_version for claim in again] == [lost.lease_version + 1]
    assert (
        publish_job_run(publish_job_id=lost.job_id, lease_version=lost.lease_version)
        == "Not ours (duplicate or stale message)."
    )
