"""The calendar's JSON feed and move endpoint: local days, filters, a query
count that does not grow with the posts, workspace isolation, CSRF."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import Post
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import days_ahead, member_of, planned
from tiktok_integration.calendar.feed import FeedQuery, calendar_feed
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot

pytestmark = pytest.mark.django_db


def _feed(client: Client, workspace, start: datetime, end: datetime, **extra):
    response = client.get(
        reverse("admin:calendar_feed"),
        {
            "workspace": workspace.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            **extra,
        },
    )
    assert response.status_code == 200
    return response.json()


def _posts(events):
    return [event for event in events if event["extendedProps"]["kind"] == "post"]


@pytest.fixture
def new_york():
    return WorkspaceFactory(time_zone="America/New_York")


@pytest.fixture
def member_client(client, new_york):
    client.force_login(member_of(new_york))
    return client


def test_a_late_evening_post_sits_on_its_local_day(member_client, new_york):
    # 23:30 in New York is 04:30 UTC the next day.
    wall = days_ahead(10, 23, 30)
    post = planned(new_york, wall, title="Late show")
    assert post.scheduled_at is not None
    assert post.scheduled_at.date() == wall.date() + timedelta(days=1)
    start = wall.replace(hour=0, minute=0)
    events = _posts(_feed(member_client, new_york, start, start + timedelta(days=1)))
    assert [(e["title"], e["start"]) for e in events] == [
        ("Late show", wall.strftime("%Y-%m-%dT%H:%M:%S"))
    ]
    # the viewer's own zone shows the same post on the UTC day
    events = _posts(
        _feed(
            member_client,
            new_york,
            start + timedelta(days=1),
            start + timedelta(days=2),
            tz="UTC",
        )
    )
    assert [e["extendedProps"]["time"] for e in events] == ["04:30"]


def test_filters_by_account_and_state(member_client, new_york):
    first = TikTokAccountFactory(workspace=new_york, username="first")
    second = TikTokAccountFactory(workspace=new_york, username="second")
    planned(new_york, days_ahead(3, 9), (first,), title="For first")
    planned(
        new_york,
        days_ahead(3, 11),
        (second,),
        status=PublishJob.Status.FAILED,
        title="For second",
    )
    start, end = days_ahead(3, 0), days_ahead(4, 0)
    titles = {e["title"] for e in _posts(_feed(member_client, new_york, start, end))}
    assert titles == {"For first", "For second"}
    by_account = _posts(_feed(member_client, new_york, start, end, account=first.pk))
    assert [e["title"] for e in by_account] == ["For first"]
    attention = _posts(
        _feed(member_client, new_york, start, end, state="needs_attention")
    )
    assert [e["title"] for e in attention] == ["For second"]
    assert attention[0]["extendedProps"]["movable"] is False
    assert "'Failed'" in attention[0]["extendedProps"]["lockedReason"]


def test_a_non_member_gets_nothing(client, new_york):
    planned(new_york, days_ahead(3, 9), title="Secret plan")
    client.force_login(member_of(WorkspaceFactory()))
    assert _feed(client, new_york, days_ahead(0, 0), days_ahead(30, 0)) == []


def _many(workspace, accounts, count: int) -> None:
    start = db_now() + timedelta(days=1)
    posts = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            title=f"Bulk {n}",
            time_zone=workspace.time_zone,
            scheduled_at=start + timedelta(minutes=37 * n),
        )
        for n in range(count)
    )
    # Every fifth copy deferred by the daily cap: it shows twice.
    PublishJob.objects.bulk_create(
        PublishJob(
            post=post,
            account=accounts[n % len(accounts)],
            scheduled_at=post.scheduled_at,
            privacy_level="SELF_ONLY",
            **(
                {
                    "deferred_until": post.scheduled_at + timedelta(hours=2),
                    "deferred_reason": PublishJob.DeferralReason.DAILY_CAP,
                    "failure_message": "TikTok's daily post cap.",
                }
                if n % 5 == 0 and post.scheduled_at
                else {}
            ),
        )
        for n, post in enumerate(posts)
    )


def _count_queries(workspace) -> tuple[int, int, int, int]:
    now = db_now()
    local = now.replace(tzinfo=None)
    query = FeedQuery(
        start=local,
        end=local + timedelta(days=40),
        time_zone=workspace.time_zone,
        workspace_id=workspace.pk,
        visible_workspace_ids={workspace.pk},
    )
    with CaptureQueriesContext(connection) as queries:
        events = calendar_feed(query=query, now=now)
    kinds = [event["extendedProps"]["kind"] for event in events]
    return (
        len(queries),
        kinds.count("post"),
        kinds.count("next_try"),
        kinds.count("slot"),
    )


def test_the_query_count_is_the_same_for_10_and_1000_posts(new_york):
    accounts = [TikTokAccountFactory(workspace=new_york) for _ in range(3)]
    for account in accounts:
        queue = PostingQueue.objects.create(account=account)
        for weekday in range(7):
            QueueSlot.objects.create(queue=queue, weekday=weekday, local_time=time(7))
    _many(new_york, accounts, 10)
    few, shown_few, tries_few, slots_few = _count_queries(new_york)
    _many(new_york, accounts, 990)
    many, shown_many, tries_many, slots_many = _count_queries(new_york)
    assert (shown_few, shown_many) == (10, 1000)
    assert (tries_few, tries_many) == (2, 200)
    assert slots_few > 0 and slots_many > 0
    assert few == many


def test_a_day_over_the_cap_is_marked_for_its_account(
    member_client, new_york, settings
):
    settings.TIKTOK_PENDING_SHARE_CAP = 1
    account = TikTokAccountFactory(workspace=new_york, username="busy")
    planned(new_york, days_ahead(4, 9), (account,), mode="draft")
    planned(new_york, days_ahead(4, 15), (account,), mode="draft")
    events = _feed(member_client, new_york, days_ahead(1, 0), days_ahead(8, 0))
    markers = [e for e in events if e["extendedProps"]["kind"] == "capacity"]
    assert [(m["start"], m["display"]) for m in markers] == [
        (days_ahead(4, 0).date().isoformat(), "background")
    ]
    assert "@busy: 2 drafts planned" in markers[0]["extendedProps"]["messages"][0]


def test_the_move_endpoint_needs_the_csrf_token(new_york):
    user = member_of(new_york)
    post = planned(new_york, days_ahead(5, 10))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("admin:calendar_move"),
        json.dumps(
            {"post": post.pk, "start": days_ahead(6, 10).isoformat(), "tz": "UTC"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_move_endpoint_moves_or_says_why_not(member_client, new_york):
    account = TikTokAccountFactory(workspace=new_york)
    post = planned(new_york, days_ahead(5, 10), (account,))
    url = reverse("admin:calendar_move")
    body = {
        "post": post.pk,
        "start": days_ahead(6, 10).isoformat(),
        "tz": "America/New_York",
    }
    response = member_client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["event"]["start"] == days_ahead(6, 10).isoformat()
    moved_to = days_ahead(6, 10).replace(tzinfo=ZoneInfo("America/New_York"))
    assert response.json()["message"] == (
        f"Moved \u201c{post.title}\u201d to {moved_to.day} "
        f"{moved_to:%b %Y}, 10:00 {moved_to.tzname()} (America/New_York)."
    )
    body["start"] = days_ahead(-2, 10).isoformat()
    response = member_client.post(url, body, content_type="application/json")
    assert response.status_code == 409
    assert "has already passed" in response.json()["error"]


def test_the_calendar_page_lists_the_workspace_and_its_keys(member_client, new_york):
    response = member_client.get(reverse("admin:calendar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Times in America/New_York" in page
    assert "M (on a post)" in page
    assert "<style" not in page and " style=" not in page


def test_a_post_waiting_for_approval_carries_its_review_state(member_client, new_york):
    # given a post in review and one approved and scheduled, same day
    account = TikTokAccountFactory(workspace=new_york, username="alba")
    wall = days_ahead(5, 10)
    waiting = planned(new_york, wall, (account,), title="Waiting")
    done = planned(new_york, wall.replace(hour=12), (account,), title="Done")
    Post.objects.filter(pk=waiting.pk).update(editorial_state="in_review")
    Post.objects.filter(pk=done.pk).update(editorial_state="scheduled")
    start = wall.replace(hour=0)
    # when
    events = _posts(_feed(member_client, new_york, start, start + timedelta(days=1)))
    # then only the waiting one has a review badge, in its own colour
    by_title = {event["title"]: event for event in events}
    assert by_title["Waiting"]["extendedProps"]["reviewLabel"] == "In review"
    assert "pd-review-in_review" in by_title["Waiting"]["classNames"]
    assert by_title["Done"]["extendedProps"]["reviewLabel"] == ""
    assert not any(c.startswith("pd-review") for c in by_title["Done"]["classNames"])
