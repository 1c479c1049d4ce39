"""Concurrent dispatchers on PostgreSQL: SKIP LOCKED, compare-and-set, and the
one-in-flight-per-account index (SQLite has no row locks, so PostgreSQL only)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.leases import (
    DISPATCHED,
    Claim,
    lease_kept_alive,
    publish_job_acquire,
    publish_jobs_claim_due,
    publish_jobs_reclaim,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_dispatchers_claim_every_due_job_once(settings):
    # given 5 accounts with 4 due jobs each
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 0
    accounts = [TikTokAccountFactory() for _ in range(5)]
    for account in accounts:
        for minute in range(4):
            PublishJobFactory(
                account=account,
                post=PostFactory(workspace=account.workspace),
                scheduled_at=timezone.now() - timedelta(seconds=30 - minute),
            )
    claims: list[Claim] = []
    lock = threading.Lock()

    def dispatcher() -> None:
        try:
            found = publish_jobs_claim_due()
            with lock:
                claims.extend(found)
        finally:
            connection.close()

    # when four dispatchers run at once
    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one job per account, each claimed by exactly one dispatcher
    claimed_ids = [claim.job_id for claim in claims]
    assert len(claimed_ids) == len(set(claimed_ids)) == 5
    in_flight = PublishJob.objects.filter(status__in=PublishJob.IN_FLIGHT)
    assert sorted(in_flight.values_list("account_id", flat=True)) == sorted(
        account.pk for account in accounts
    )
    # the earliest job of each account went first
    for job in in_flight:
        earlier = PublishJob.objects.filter(
            account=job.account, scheduled_at__lt=job.scheduled_at
        )
        assert not earlier.exists()


def test_a_running_step_keeps_its_lease_and_a_stopped_one_loses_it(settings):
    # given a 1 s lease taken by a worker
    settings.TIKTOK_PUBLISH_LEASE_SECONDS = 1
    job = PublishJobFactory(
        status=PublishJob.Status.CLAIMED,
        lease_owner=DISPATCHED,
        lease_version=1,
        attempt_count=1,
        lease_expires_at=timezone.now() + timedelta(seconds=1),
    )
    lease = publish_job_acquire(
        publish_job_id=job.pk, lease_version=1, states=PublishJob.IN_FLIGHT
    )
    assert lease is not None
    # when its step runs for twice the lease, then stops renewing
    with lease_kept_alive(lease):
        time.sleep(2.0)
        during, _ = publish_jobs_reclaim()
    time.sleep(1.5)
    after, _ = publish_jobs_reclaim()
    # then nobody took the job while the step ran; once it stopped, the tick
    # handed the job out again and counted the attempt
    assert during == []
    assert [claim.job_id for claim in after] == [job.pk]
    job.refresh_from_db()
    assert (job.lease_version, job.attempt_count) == (2, 2)
