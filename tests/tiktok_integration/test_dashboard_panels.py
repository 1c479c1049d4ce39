"""The dashboard staff start their day on: today and tomorrow per account,
one-click actions on what needs attention, the week's capacity."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PublishJob

pytestmark = pytest.mark.django_db


def _midnight() -> datetime:
    now = timezone.now()
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def _panel(html: str, panel_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{panel_id}".*?</section>', html, re.S)
    assert match is not None, panel_id
    return match.group(0)


def _job(account, title, when, **extra):  # type: ignore[no-untyped-def]
    return PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace, title=title),
        scheduled_at=when,
        **extra,
    )


def test_today_and_tomorrow_show_each_accounts_posts_with_states(admin_client):
    # given
    account = TikTokAccountFactory(workspace=WorkspaceFactory(time_zone="UTC"))
    _job(account, "Now going out", timezone.now(), status="uploading")
    _job(account, "Tomorrow lunch", _midnight() + timedelta(days=1, hours=12))
    _job(account, "Next week", _midnight() + timedelta(days=5))
    # when
    today = _panel(
        admin_client.get(reverse("admin:index")).content.decode(), "panel-today"
    )
    # then
    row = today.split(f">{account}</a>")[1]
    cells = row.split("<td>")
    assert "Now going out" in cells[1] and "Uploading" in cells[1]
    assert "Tomorrow lunch" in cells[2] and "12:00 UTC" in cells[2]
    assert "Next week" not in today


def test_the_weeks_capacity_counts_posts_per_day_and_marks_a_full_day(
    admin_client, settings
):
    # given
    settings.TIKTOK_DAILY_POST_CAP = 2
    account = TikTokAccountFactory(workspace=WorkspaceFactory(time_zone="UTC"))
    day_after = _midnight() + timedelta(days=2, hours=9)
    _job(account, "One", day_after)
    _job(account, "Two", day_after + timedelta(hours=1))
    _job(account, "Dropped", day_after, status="cancelled")
    # when
    week = _panel(
        admin_client.get(reverse("admin:index")).content.decode(), "panel-week"
    )
    # then
    assert 'postdeck-full">2</td>' in week
    assert "at most 2 per account" in week


def test_a_failed_post_is_retried_from_the_dashboard_in_one_click(admin_client):
    # given
    job = PublishJobFactory(
        status="failed", failure_message="TikTok was busy.", publish_id=""
    )
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert f'id="job-{job.pk}-retry"' in _panel(html, "panel-attention")
    # when
    response = admin_client.post(
        reverse("admin:tiktok_integration_publishjob_act", args=[job.pk]),
        {"action": "retry", "next": reverse("admin:index")},
        follow=True,
    )
    # then
    job.refresh_from_db()
    assert job.status == PublishJob.Status.SCHEDULED
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert f"{job}:" in response.content.decode()


def test_an_unknown_action_changes_nothing(admin_client):
    job = PublishJobFactory(status="failed")
    response = admin_client.post(
        reverse("admin:tiktok_integration_publishjob_act", args=[job.pk]),
        {"action": "delete"},
    )
    job.refresh_from_db()
    assert response.status_code == 403 and job.status == "failed"


def test_the_dashboard_runs_the_same_queries_for_more_accounts_and_posts(
    admin_client,
):
    def add_accounts(n: int) -> None:
        for _ in range(n):
            account = TikTokAccountFactory()
            _job(account, "Today", timezone.now())
            _job(account, "Tomorrow", _midnight() + timedelta(days=1, hours=8))
            _job(account, "Stuck", timezone.now(), status="failed")

    add_accounts(1)
    admin_client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin:index"))
    add_accounts(6)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("admin:index"))
    assert len(many) == len(few)
