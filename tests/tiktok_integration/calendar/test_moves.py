"""Moving a post on the calendar: the wall time kept across days and clock
changes, each refusal with its reason (nothing moves), and the move recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms.models import Post
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import (
    at,
    days_ahead,
    member_of,
    next_spring_forward,
    planned,
)
from tiktok_integration.calendar.moves import MoveRefusedError, calendar_post_move
from tiktok_integration.models import PostMove, PublishJob

pytestmark = pytest.mark.django_db
ROME = "Europe/Rome"


@pytest.fixture
def rome():
    return WorkspaceFactory(time_zone=ROME)


@pytest.fixture
def member(rome):
    return member_of(rome)


@pytest.fixture
def account(rome):
    return TikTokAccountFactory(workspace=rome, username="rome.creator")


def test_a_move_to_another_day_keeps_the_time_and_is_recorded(rome, member, account):
    post = planned(rome, days_ahead(5, 10, 15), (account,))
    move = calendar_post_move(
        post_id=post.pk,
        user_id=member.pk,
        wall_time=days_ahead(6, 10, 15),
        time_zone=ROME,
    )
    post.refresh_from_db()
    assert post.scheduled_wall_time == days_ahead(6, 10, 15)
    job = PublishJob.objects.get(post=post)
    assert job.scheduled_at == post.scheduled_at
    assert (move.moved_by_id, move.from_wall_time, move.to_wall_time) == (
        member.pk,
        days_ahead(5, 10, 15).strftime("%Y-%m-%d %H:%M"),
        days_ahead(6, 10, 15).strftime("%Y-%m-%d %H:%M"),
    )
    assert move.to_instant == post.scheduled_at


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (PublishJob.Status.UPLOADING, "Uploading"),
        (PublishJob.Status.PROCESSING, "Processing at TikTok"),
        (PublishJob.Status.PUBLISHED, "Published"),
        (PublishJob.Status.FAILED, "Failed"),
    ],
)
def test_publishing_published_and_failed_posts_stay_put(
    rome, member, account, status, label
):
    post = planned(rome, days_ahead(5, 10), (account,), status=status)
    with pytest.raises(MoveRefusedError) as caught:
        calendar_post_move(
            post_id=post.pk,
            user_id=member.pk,
            wall_time=days_ahead(6, 10),
            time_zone=ROME,
        )
    assert f"@rome.creator is already '{label}'" in str(caught.value)
    post.refresh_from_db()
    assert post.scheduled_wall_time == days_ahead(5, 10)
    assert not PostMove.objects.exists()


def test_a_time_in_the_past_is_refused(rome, member, account):
    post = planned(rome, days_ahead(5, 10), (account,))
    with pytest.raises(MoveRefusedError, match="has already passed"):
        calendar_post_move(
            post_id=post.pk,
            user_id=member.pk,
            wall_time=days_ahead(-1, 10),
            time_zone=ROME,
        )
    assert not PostMove.objects.exists()


def test_a_time_the_clocks_skip_is_refused_with_the_valid_choices(
    rome, member, account
):
    spring = next_spring_forward(ROME)
    post = planned(rome, at(spring - timedelta(days=1), 10), (account,))
    with pytest.raises(MoveRefusedError) as caught:
        calendar_post_move(
            post_id=post.pk,
            user_id=member.pk,
            wall_time=at(spring, 2, 30),
            time_zone=ROME,
        )
    assert "does not exist in Europe/Rome" in str(caught.value)
    assert "Choose 01:59 or 03:00" in str(caught.value)


def test_ten_stays_ten_across_the_clock_change(rome, member, account):
    spring = next_spring_forward(ROME)
    post = planned(rome, at(spring - timedelta(days=1), 10), (account,))
    before = post.scheduled_at
    calendar_post_move(
        post_id=post.pk,
        user_id=member.pk,
        wall_time=at(spring + timedelta(days=1), 10),
        time_zone=ROME,
    )
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(spring + timedelta(days=1), 10)
    # Two days later on the wall, one hour less in UTC: summer time began.
    assert before is not None and post.scheduled_at is not None
    assert post.scheduled_at - before == timedelta(days=2, hours=-1)


def test_a_drop_in_the_viewers_zone_keeps_the_posts_zone(rome, member, account):
    post = planned(rome, days_ahead(5, 10), (account,))
    move = calendar_post_move(
        post_id=post.pk,
        user_id=member.pk,
        wall_time=days_ahead(6, 4),
        time_zone="America/New_York",
    )
    post.refresh_from_db()
    assert post.time_zone == ROME
    assert post.scheduled_wall_time is not None
    assert post.scheduled_wall_time.hour in (9, 10)  # 04:00 New York, 5-6 h apart
    assert move.time_zone == ROME


def test_a_post_of_another_workspace_cannot_be_moved(rome, account):
    post = planned(rome, days_ahead(5, 10), (account,))
    stranger = member_of(WorkspaceFactory())
    with pytest.raises(MoveRefusedError, match="not in one of your workspaces"):
        calendar_post_move(
            post_id=post.pk,
            user_id=stranger.pk,
            wall_time=days_ahead(6, 10),
            time_zone=ROME,
        )
    assert Post.objects.get(pk=post.pk).scheduled_wall_time == days_ahead(5, 10)


def test_a_day_over_tiktoks_daily_cap_is_refused(rome, member, account, settings):
    settings.TIKTOK_DAILY_POST_CAP = 2
    planned(rome, days_ahead(6, 8), (account,))
    planned(rome, days_ahead(6, 12), (account,))
    post = planned(rome, days_ahead(5, 10), (account,))
    with pytest.raises(MoveRefusedError) as caught:
        calendar_post_move(
            post_id=post.pk,
            user_id=member.pk,
            wall_time=days_ahead(6, 10),
            time_zone=ROME,
        )
    assert "@rome.creator: 3 direct posts planned" in str(caught.value)
    assert "TikTok allows 2 a day" in str(caught.value)
