"""The calendar's read of cap-deferred posts: both times and the reason, one
query however many there are, scoped to the workspaces asked for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.tiktok import PublishJobFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.selectors import cap_deferrals_between

pytestmark = pytest.mark.django_db
Reason = PublishJob.DeferralReason


def _deferred(workspace, count: int) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    for index in range(count):
        PublishJobFactory(
            post__workspace=workspace,
            scheduled_at=now - timedelta(minutes=index + 1),
            deferred_until=now + timedelta(hours=1),
            deferred_reason=Reason.INBOX_CAP,
            failure_message="TikTok's pending-inbox limit.",
        )
    # Not deferred: left out.
    PublishJobFactory(post__workspace=workspace, scheduled_at=now)


def _read(workspace) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        entries = cap_deferrals_between(
            workspace_ids={workspace.pk},
            start=now - timedelta(days=1),
            end=now + timedelta(days=1),
        )
    assert all(e.next_try_at and e.next_try_at > e.planned_at for e in entries)
    assert {e.reason_label for e in entries} == {"The creator's pending-inbox limit"}
    return len(entries), len(queries)


def test_one_query_for_few_or_many_and_only_the_asked_workspaces():
    few, many = WorkspaceFactory(), WorkspaceFactory()
    _deferred(few, 2)
    _deferred(many, 30)
    assert _read(few) == (2, 1)
    assert _read(many) == (30, 1)
