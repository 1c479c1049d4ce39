"""The planned jobs the calendar reads once for its capacity markers and free
slots: the same instants as the jobs hold, the right one counted toward
TikTok's rolling 24 hours, and cancelled or failed copies left out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import days_ahead, planned
from tiktok_integration.models import PublishJob
from tiktok_integration.planned_jobs import planned_jobs_between

pytestmark = pytest.mark.django_db


def test_instants_and_the_counted_time_are_the_jobs_own():
    workspace = WorkspaceFactory(time_zone="Europe/Rome")
    account = TikTokAccountFactory(workspace=workspace)
    post = planned(workspace, days_ahead(3, 10, 15))
    assert post.scheduled_at is not None
    at = post.scheduled_at.replace(microsecond=123456)
    plain = PublishJobFactory(post=post, account=account, scheduled_at=at)
    sent = PublishJobFactory(
        post=post,
        account=TikTokAccountFactory(workspace=workspace),
        scheduled_at=at,
        status=PublishJob.Status.PROCESSING,
        processing_at=at + timedelta(minutes=3),
    )
    for status in (PublishJob.Status.CANCELLED, PublishJob.Status.FAILED):
        PublishJobFactory(
            post=post,
            account=TikTokAccountFactory(workspace=workspace),
            scheduled_at=at,
            status=status,
        )
    # Planned outside the window, deferred into it: still read.
    deferred = PublishJobFactory(
        post=post,
        account=TikTokAccountFactory(workspace=workspace),
        scheduled_at=at - timedelta(days=5),
        deferred_until=at + timedelta(hours=2),
    )

    rows = planned_jobs_between(
        account_ids=None,
        workspace_ids=[workspace.pk],
        start=at - timedelta(hours=1),
        end=at + timedelta(hours=3),
    )

    by_account = {row[0]: row for row in rows}
    assert set(by_account) == {plain.account_id, sent.account_id, deferred.account_id}
    assert by_account[plain.account_id][3:] == (at, at)
    assert by_account[sent.account_id][4] == at + timedelta(minutes=3)
    assert by_account[deferred.account_id][3:] == (
        at - timedelta(days=5),
        at + timedelta(hours=2),
    )
    assert all(row[3].utcoffset() == timedelta(0) for row in rows)
