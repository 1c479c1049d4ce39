"""Every query a beat tick makes is served by an index (issue 17): with
sequential scans priced out, PostgreSQL's plan for each still has no Seq Scan
on the jobs or accounts tables, so ticks stay flat as they grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.publishing.dispatch import (
    publish_dispatch_tick,
    publish_poll_tick,
    publish_reconcile_tick,
)
from tiktok_integration.services.tokens import tiktok_account_refresh_expiring

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
BIG_TABLES = ("tiktok_integration_publishjob", "tiktok_integration_tiktokaccount")


def _scans(sql: str, params: tuple[object, ...]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    return [
        line
        for line in plan
        if "Seq Scan" in line and any(t in line for t in BIG_TABLES)
    ]


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
def test_no_tick_query_scans_the_jobs_or_accounts(tick):
    # given accounts with posts due tomorrow
    workspace = WorkspaceFactory()
    for _ in range(3):
        PublishJobFactory(
            account=TikTokAccountFactory(workspace=workspace),
            post=PostFactory(workspace=workspace),
            scheduled_at=timezone.now() + timedelta(days=1),
        )
    # when the tick runs
    with CaptureQueriesContext(connection) as queries:
        tick()
    selects = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "UPDATE"))
    ]
    # then none of its queries needs a sequential scan of the big tables
    assert selects
    with connection.cursor() as cursor:
        scans = {}
        for sql in selects:
            cursor.execute("SAVEPOINT explain_tick")
            found = _scans(sql, ())
            cursor.execute("ROLLBACK TO SAVEPOINT explain_tick")
            if found:
                scans[sql] = found
    assert scans == {}
