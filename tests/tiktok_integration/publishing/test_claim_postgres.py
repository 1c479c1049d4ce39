"""Concurrent dispatchers on PostgreSQL: SKIP LOCKED, compare-and-set, and the
one-in-flight-per-account index (SQLite has no row locks, so PostgreSQL only)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.leases import Claim, publish_jobs_claim_due

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
