"""post_compose with "Add to queue": the post takes the next free slot of its
accounts' queues (in the workspace's zone), and a second post the one after."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cms.scheduling import utc_to_local
from tests.tiktok_integration.compose.conftest import compose_request, connect, direct
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot
from tiktok_integration.services.compose import ComposeError, post_compose
from tiktok_sandbox.models import SandboxCreator


def every_day_at(account: Any, *hours: int) -> PostingQueue:
    queue = PostingQueue.objects.create(account=account)
    for weekday in range(7):
        for hour in hours:
            QueueSlot.objects.create(
                queue=queue, weekday=weekday, local_time=time(hour)
            )
    return queue


def queued(workspace: Any, user: Any, *accounts: Any, media: Any, **fields: Any) -> Any:
    return post_compose(
        request=compose_request(
            workspace,
            user,
            tuple(direct(account) for account in accounts),
            media_ids=(media.pk,),
            wall_time=None,
            time_zone="Asia/Tokyo",  # ignored: slots are in the workspace's zone
            add_to_queue=True,
            **fields,
        )
    )


def test_add_to_queue_fills_the_next_slot_then_the_one_after(
    rome, member, public_account, video
):
    # given slots at 06:00 and 21:00 every day, Rome time
    every_day_at(public_account, 6, 21)
    # when two posts are added to the queue
    first = queued(rome, member, public_account, media=video)
    second = queued(rome, member, public_account, media=video)
    # then each took the next free slot, kept as a Rome wall time
    assert first.time_zone == second.time_zone == "Europe/Rome"
    assert first.scheduled_at > timezone.now()
    assert first.scheduled_time in (time(6), time(21))
    assert second.scheduled_at > first.scheduled_at
    assert second.scheduled_at - first.scheduled_at < timedelta(hours=16)
    jobs = PublishJob.objects.filter(post__in=[first, second])
    assert sorted(job.scheduled_at for job in jobs) == [
        first.scheduled_at,
        second.scheduled_at,
    ]
    # and editing the first post with "Add to queue" again keeps its own slot
    again = queued(rome, member, public_account, media=video, post_id=first.pk)
    assert again.scheduled_at == first.scheduled_at


def test_several_accounts_share_their_earliest_common_slot(
    rome, member, public_account, video
):
    other = connect(SandboxCreator.objects.get(username="sandbox.private"), rome)
    every_day_at(public_account, 6, 21)
    every_day_at(other, 12, 21)
    # when
    post = queued(rome, member, public_account, other, media=video)
    # then 21:00, the slot both queues have
    assert utc_to_local(post.scheduled_at, "Europe/Rome").hour == 21


def test_without_a_free_slot_nothing_is_saved(rome, member, public_account, video):
    queue = every_day_at(public_account, 9)
    PostingQueue.objects.filter(pk=queue.pk).update(paused=True)
    # when
    with pytest.raises(ComposeError) as refused:
        queued(rome, member, public_account, media=video)
    # then
    assert "No free queue slot" in refused.value.errors["when"][0]
    assert not PublishJob.objects.exists()


def test_two_presses_at_once_take_two_slots(
    rome, member, public_account, video, monkeypatch
):
    # given two "Add to queue" presses checked at the same moment: both saw
    # the same slot free before either was saved
    every_day_at(public_account, 6, 21)
    from tiktok_integration.services import compose

    real_check = compose.check_request
    other: list[Any] = []

    def check_then_the_other_press_saves(request: Any, fresh: Any = None) -> Any:
        checked = real_check(request, fresh)
        if not other:
            monkeypatch.setattr(compose, "check_request", real_check)
            other.append(queued(rome, member, public_account, media=video))
        return checked

    monkeypatch.setattr(compose, "check_request", check_then_the_other_press_saves)
    # when the first press is saved after the second
    first = queued(rome, member, public_account, media=video)
    # then it took the slot after the one the other press took
    assert first.scheduled_at > other[0].scheduled_at
    assert first.scheduled_time in (time(6), time(21))
    assert sorted(PublishJob.objects.values_list("scheduled_at", flat=True)) == [
        other[0].scheduled_at,
        first.scheduled_at,
    ]
