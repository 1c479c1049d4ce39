"""Moving a post (the calendar's drag): its waiting jobs move with it; a post
with a copy already at TikTok, or a time that passed or does not exist, is
refused with the reason and nothing moves."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.compose.conftest import (
    compose_request,
    direct,
    draft,
    next_week_at,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import ComposeError, post_compose
from tiktok_integration.services.reschedule import post_reschedule


@pytest.fixture
def post(rome, member, public_account, upload_only_account, video):
    return post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account), draft(upload_only_account)),
            media_ids=(video.pk,),
        )
    )


def test_waiting_jobs_move_with_the_post(post, member):
    moved = post_reschedule(
        post_id=post.pk,
        wall_time=next_week_at(21, 15),
        time_zone="America/New_York",
        fold=None,
        user_id=member.pk,
    )
    moved.refresh_from_db()
    assert moved.time_zone == "America/New_York"
    assert moved.scheduled_wall_time == next_week_at(21, 15)
    assert {job.scheduled_at for job in PublishJob.objects.filter(post=post)} == {
        moved.scheduled_at
    }


def test_a_started_copy_blocks_the_move(post, member, public_account):
    PublishJob.objects.filter(post=post, account=public_account).update(
        status="uploading"
    )
    before = {job.pk: job.scheduled_at for job in PublishJob.objects.all()}
    with pytest.raises(ComposeError) as caught:
        post_reschedule(
            post_id=post.pk,
            wall_time=next_week_at(21),
            time_zone="Europe/Rome",
            fold=None,
            user_id=member.pk,
        )
    assert (
        "already 'Uploading'" in caught.value.errors[f"target:{public_account.pk}"][0]
    )
    assert {job.pk: job.scheduled_at for job in PublishJob.objects.all()} == before


@pytest.mark.parametrize(
    ("wall", "words"),
    [
        (datetime(2027, 3, 28, 2, 30), "does not exist"),  # noqa: DTZ001
        (datetime(2021, 3, 28, 9, 0), "has already passed"),  # noqa: DTZ001
    ],
)
def test_an_impossible_time_is_refused(post, member, wall, words):
    with pytest.raises(ComposeError) as caught:
        post_reschedule(
            post_id=post.pk,
            wall_time=wall,
            time_zone="Europe/Rome",
            fold=None,
            user_id=member.pk,
        )
    assert words in caught.value.errors["when"][0]


def test_someone_outside_cannot_move_it(post):
    with pytest.raises(ComposeError):
        post_reschedule(
            post_id=post.pk,
            wall_time=next_week_at(9),
            time_zone="Europe/Rome",
            fold=None,
            user_id=MembershipFactory().user.pk,
        )
