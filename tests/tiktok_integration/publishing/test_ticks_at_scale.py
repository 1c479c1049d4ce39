"""Beat ticks at scale (issue 17, bench/bench_scale.py): a peak of posts due at
the same second goes out in one tick, and a tick's queries do not grow with the
number of accounts or of scheduled posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import (
    publish_dispatch_tick,
    publish_poll_tick,
    publish_reconcile_tick,
)
from tiktok_integration.services.tokens import tiktok_account_refresh_expiring

pytestmark = pytest.mark.django_db


def _jobs(count: int, *, due_in: timedelta) -> None:
    workspace = WorkspaceFactory()
    for _ in range(count):
        PublishJobFactory(
            account=TikTokAccountFactory(workspace=workspace),
            post=PostFactory(workspace=workspace),
            scheduled_at=timezone.now() + due_in,
        )


def test_a_peak_larger_than_a_batch_is_claimed_in_one_tick(settings):
    # given 7 accounts with a post each due this second, and batches of 3
    settings.TIKTOK_PUBLISH_BATCH_SIZE = 3
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 5
    _jobs(7, due_in=timedelta(0))

    # when one dispatch tick runs
    claims = publish_dispatch_tick()

    # then every one of them is handed to a worker, each once
    assert len({claim.job_id for claim in claims}) == 7
    assert not PublishJob.objects.filter(status=PublishJob.Status.SCHEDULED).exists()


def _tick_queries(tick) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        tick()
    return len(queries)


@pytest.mark.parametrize(
    "tick",
    [
        publish_dispatch_tick,
        publish_poll_tick,
        publish_reconcile_tick,
        tiktok_account_refresh_expiring,
    ],
    ids=["dispatch", "poll", "reconcile", "refresh sweep"],
)
def test_a_tick_with_nothing_due_costs_the_same_at_3_and_30_accounts(tick):
    # given 3 accounts with a post due tomorrow, and tokens good for 2 hours
    _jobs(3, due_in=timedelta(days=1))
    small = _tick_queries(tick)

    # when there are 30 accounts and 30 posts
    _jobs(27, due_in=timedelta(days=1))
    large = _tick_queries(tick)

    # then the tick makes as many queries
    assert large == small
