"""Cap deferrals and queue slots on the calendar's feed: a deferred post at its
planned time and again at its next try with the reason, a held post waiting for
a new time, the free slots of the queues (none paused, none taken, none past),
and only the workspace's and the chosen account's."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.scheduling import local_to_utc
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import (
    at,
    days_ahead,
    member_of,
    planned,
)
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot

pytestmark = pytest.mark.django_db
ZONE = "America/New_York"
Reason = PublishJob.DeferralReason


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


def _of(events, kind: str):
    return [event for event in events if event["extendedProps"]["kind"] == kind]


@pytest.fixture
def new_york():
    return WorkspaceFactory(time_zone=ZONE)


@pytest.fixture
def member_client(client, new_york):
    client.force_login(member_of(new_york))
    return client


def _defer(post, next_wall: datetime | None, reason: str = Reason.DAILY_CAP) -> None:
    """Defer every copy of ``post``: retried at ``next_wall`` (New York wall
    time), or held for staff when None."""
    held = next_wall is None
    PublishJob.objects.filter(post=post).update(
        status=(
            PublishJob.Status.NEEDS_CONFIRMATION
            if held
            else PublishJob.Status.SCHEDULED
        ),
        deferred_until=None if held else local_to_utc(next_wall, ZONE),
        deferred_reason=reason,
        failure_message="TikTok's daily post cap: the creator has reached it.",
    )


def test_a_deferred_post_keeps_its_time_and_shows_again_at_its_next_try(
    member_client, new_york
):
    account = TikTokAccountFactory(workspace=new_york, username="creator")
    post = planned(new_york, days_ahead(3, 9), (account,), title="Launch")
    _defer(post, days_ahead(4, 10, 15))
    events = _feed(member_client, new_york, days_ahead(1, 0), days_ahead(8, 0))
    [kept] = _of(events, "post")
    assert kept["start"] == days_ahead(3, 9).isoformat()
    props = kept["extendedProps"]
    assert props["nextAttemptAt"] == days_ahead(4, 10, 15).isoformat()
    assert props["deferReason"] == "The creator's daily post cap"
    assert props["deferMessage"].startswith("@creator: TikTok's daily post cap")
    assert props["deferHeld"] is False
    assert props["movable"] is True
    [again] = _of(events, "next_try")
    assert again["start"] == days_ahead(4, 10, 15).isoformat()
    assert again["title"] == "Launch"
    assert again["editable"] is False
    assert "pd-next-try" in again["classNames"]
    assert again["extendedProps"]["postId"] == str(post.pk)
    assert again["extendedProps"]["plannedAt"] == days_ahead(3, 9).isoformat()
    assert again["extendedProps"]["deferReason"] == "The creator's daily post cap"
    # in the viewer's zone both times are that zone's wall times
    utc = _feed(member_client, new_york, days_ahead(1, 0), days_ahead(8, 0), tz="UTC")
    expected = local_to_utc(days_ahead(4, 10, 15), ZONE).replace(tzinfo=None)
    assert _of(utc, "post")[0]["extendedProps"]["nextAttemptAt"] == (
        expected.isoformat()
    )
    assert _of(utc, "next_try")[0]["start"] == expected.isoformat()


def test_a_next_try_in_view_shows_without_the_planned_day(member_client, new_york):
    account = TikTokAccountFactory(workspace=new_york)
    post = planned(new_york, days_ahead(3, 9), (account,), title="Later")
    _defer(post, days_ahead(6, 9), Reason.APP_CAP)
    day = days_ahead(6, 0)
    events = _feed(member_client, new_york, day, day + timedelta(days=1))
    assert _of(events, "post") == []
    [again] = _of(events, "next_try")
    assert again["extendedProps"]["deferReason"] == "The app's daily creator cap"
    # and the planned day alone shows the post, not the next try
    day = days_ahead(3, 0)
    events = _feed(member_client, new_york, day, day + timedelta(days=1))
    assert [e["title"] for e in _of(events, "post")] == ["Later"]
    assert _of(events, "next_try") == []


def test_a_held_post_waits_for_a_new_time(member_client, new_york):
    account = TikTokAccountFactory(workspace=new_york)
    post = planned(new_york, days_ahead(2, 18), (account,), title="Held")
    _defer(post, None, Reason.INBOX_CAP)
    events = _feed(member_client, new_york, days_ahead(1, 0), days_ahead(8, 0))
    [kept] = _of(events, "post")
    assert kept["extendedProps"]["deferHeld"] is True
    assert kept["extendedProps"]["nextAttemptAt"] == ""
    assert kept["extendedProps"]["deferReason"] == "The creator's pending-inbox limit"
    assert _of(events, "next_try") == []


def test_deferrals_of_other_workspaces_and_accounts_stay_out(member_client, new_york):
    mine = TikTokAccountFactory(workspace=new_york, username="mine")
    other = TikTokAccountFactory(workspace=new_york, username="other")
    elsewhere = WorkspaceFactory(time_zone=ZONE)
    _defer(
        planned(
            elsewhere, days_ahead(3, 9), (TikTokAccountFactory(workspace=elsewhere),)
        ),
        days_ahead(4, 9),
    )
    _defer(
        planned(new_york, days_ahead(3, 11), (other,), title="Theirs"),
        days_ahead(4, 11),
    )
    planned(new_york, days_ahead(3, 12), (mine,), title="Ours")
    events = _feed(
        member_client,
        new_york,
        days_ahead(1, 0),
        days_ahead(8, 0),
        account=mine.pk,
    )
    assert [e["title"] for e in _of(events, "post")] == ["Ours"]
    assert _of(events, "next_try") == []
    assert "deferred" not in _of(events, "post")[0]["extendedProps"]
    everyone = _feed(member_client, new_york, days_ahead(1, 0), days_ahead(8, 0))
    assert [e["title"] for e in _of(everyone, "next_try")] == ["Theirs"]


def _monday_ahead() -> datetime:
    """Midnight of a Monday at least a week ahead (naive wall time)."""
    day = timezone.now().date() + timedelta(days=7)
    day += timedelta(days=-day.weekday() % 7)
    return at(day, 0)


def _queue(account, *, paused: bool = False) -> PostingQueue:
    """Monday to Friday 09:00 and 18:00 in the workspace's zone."""
    queue = PostingQueue.objects.create(account=account, paused=paused)
    for weekday in range(5):
        for clock in (time(9), time(18)):
            QueueSlot.objects.create(queue=queue, weekday=weekday, local_time=clock)
    return queue


def test_free_queue_slots_show_as_slot_events(member_client, new_york):
    account = TikTokAccountFactory(workspace=new_york, username="creator")
    _queue(account)
    monday = _monday_ahead()
    planned(new_york, monday + timedelta(hours=9), (account,), title="Taken")
    events = _feed(member_client, new_york, monday, monday + timedelta(days=7))
    slots = _of(events, "slot")
    # ten slots a week, less the one the post takes
    assert len(slots) == 9
    assert slots[0]["start"] == (monday + timedelta(hours=18)).isoformat()
    assert slots[0]["title"] == "Free slot @creator"
    assert slots[0]["editable"] is False
    assert slots[0]["extendedProps"]["accountId"] == account.pk
    assert slots[0]["extendedProps"]["time"] == "18:00"
    assert {e["start"][11:16] for e in slots} == {"09:00", "18:00"}
    assert all(datetime.fromisoformat(e["start"]).weekday() < 5 for e in slots)
    # in the viewer's zone a slot is at that zone's wall time
    utc = _of(
        _feed(member_client, new_york, monday, monday + timedelta(days=7), tz="UTC"),
        "slot",
    )
    assert (
        utc[0]["start"]
        == (
            local_to_utc(monday + timedelta(hours=18), ZONE).replace(tzinfo=None)
        ).isoformat()
    )


def test_no_slots_when_paused_past_or_for_another_account(member_client, new_york):
    mine = TikTokAccountFactory(workspace=new_york)
    paused = TikTokAccountFactory(workspace=new_york)
    _queue(mine)
    _queue(paused, paused=True)
    _queue(TikTokAccountFactory(workspace=WorkspaceFactory(time_zone=ZONE)))
    monday = _monday_ahead()
    week = (monday, monday + timedelta(days=7))
    assert {
        e["extendedProps"]["accountId"]
        for e in _of(_feed(member_client, new_york, *week), "slot")
    } == {mine.pk}
    assert _of(_feed(member_client, new_york, *week, account=paused.pk), "slot") == []
    # slots already past are gaps no one can fill
    last_week = (days_ahead(-14, 0), days_ahead(-7, 0))
    assert _of(_feed(member_client, new_york, *last_week), "slot") == []
