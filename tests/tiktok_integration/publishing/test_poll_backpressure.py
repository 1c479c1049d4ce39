"""Status checks under a backlog (issue 17, bench/bench_scale.py): the poll
tick sends no more checks than the workers have drained, so a check waiting
in the queue is not claimed again (which left a stale message per tick and
fed the backlog), each job costs one TikTok status call, a lost message is
still sent again once its lease runs out, and a tick's queries do not grow
with the batch or the backlog. Against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tiktok_integration.publishing.conftest import connect, scheduled_job
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import (
    publish_dispatch_tick,
    publish_poll_tick,
)
from tiktok_integration.publishing.leases import Claim
from tiktok_integration.publishing.run import publish_job_run
from tiktok_integration.publishing.status import publish_job_poll
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import sandbox_advance, sandbox_creator_create

Status = PublishJob.Status


def _at_tiktok(count: int) -> list[PublishJob]:
    """``count`` jobs on as many sandbox accounts, uploaded and processing at
    TikTok, each due for its first status check."""
    jobs = [
        scheduled_job(connect(sandbox_creator_create(username=f"backlog.{index}")))
        for index in range(count)
    ]
    for claim in publish_dispatch_tick():
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    sandbox_advance(deliver_webhooks=False)
    assert {job.status for job in PublishJob.objects.all()} == {Status.PROCESSING}
    PublishJob.objects.update(next_action_at=timezone.now() - timedelta(seconds=1))
    return jobs


def _run(claims: list[Claim]) -> list[str]:
    return [
        publish_job_poll(publish_job_id=claim.job_id, lease_version=claim.lease_version)
        for claim in claims
    ]


def test_a_backlog_of_checks_is_sent_as_the_workers_drain_it_one_call_per_job(
    sandbox: Any, settings: Any
) -> None:
    # given 5 jobs due for a status check, and at most 2 checks waiting in the queue
    settings.TIKTOK_POLL_QUEUED_MAX = 2
    _at_tiktok(5)
    fetches_before = sandbox_call_count(endpoint=Endpoint.STATUS_FETCH)

    # when the poll tick runs three times before any worker starts a check
    first = publish_poll_tick()
    again = [publish_poll_tick(), publish_poll_tick()]

    # then two checks were sent, once each: the waiting messages stay valid
    assert len(first) == 2
    assert again == [[], []]

    # and as the workers drain the queue, each tick sends what they took
    notes = _run(first)
    second = publish_poll_tick()
    notes += _run(second)
    third = publish_poll_tick()
    notes += _run(third)
    assert [len(second), len(third)] == [2, 1]
    assert notes == ["Published."] * 5
    assert set(PublishJob.objects.values_list("status", flat=True)) == {
        Status.PUBLISHED
    }
    # one status call per job, however many ticks ran while the backlog drained
    assert sandbox_call_count(endpoint=Endpoint.STATUS_FETCH) - fetches_before == 5


def test_a_check_lost_past_its_lease_is_sent_again_and_the_late_copy_does_nothing(
    sandbox: Any, settings: Any
) -> None:
    # given a status check sent to the workers, whose message is lost
    settings.TIKTOK_POLL_QUEUED_MAX = 1
    (job,) = _at_tiktok(1)
    (lost,) = publish_poll_tick()
    assert publish_poll_tick() == []

    # when its lease runs out
    PublishJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    (resent,) = publish_poll_tick()
    fetches_before = sandbox_call_count(endpoint=Endpoint.STATUS_FETCH)

    # then it is sent again under a new version; the late copy of the lost
    # message calls nothing, and the new one publishes the job
    assert resent.job_id == job.pk
    assert resent.lease_version == lost.lease_version + 1
    assert _run([lost]) == ["Not ours (duplicate or stale message)."]
    assert sandbox_call_count(endpoint=Endpoint.STATUS_FETCH) == fetches_before
    assert _run([resent]) == ["Published."]
    assert sandbox_call_count(endpoint=Endpoint.STATUS_FETCH) == fetches_before + 1
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED


def _tick_queries() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        claims = publish_poll_tick()
    return len(queries), len(claims)


def test_a_poll_tick_costs_the_same_queries_for_2_and_6_checks_and_a_backlog(
    sandbox: Any, settings: Any
) -> None:
    # given 10 jobs due for a status check
    settings.TIKTOK_POLL_QUEUED_MAX = 100
    _at_tiktok(10)

    # when one tick claims 2 checks, the next 6 (the rest waiting)
    settings.TIKTOK_PUBLISH_BATCH_SIZE = 2
    small, claimed_small = _tick_queries()
    settings.TIKTOK_PUBLISH_BATCH_SIZE = 6
    large, claimed_large = _tick_queries()

    # then both ticks made as many queries
    assert (claimed_small, claimed_large) == (2, 6)
    assert large == small
