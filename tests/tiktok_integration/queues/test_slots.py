"""Which slots of a posting queue are free: taken by planned posts, freed by
removing or moving them, none while paused, none past TikTok's daily cap, and
none at a wall time the clocks skip."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.scheduling import NonexistentLocalTimeError, local_to_utc
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot, TikTokAccount
from tiktok_integration.queues import (
    queue_free_slots_between,
    queue_next_common_slot,
    queue_next_free_slot,
)

pytestmark = pytest.mark.django_db
ZONE = "Europe/Berlin"
# Wall times (naive): a Monday in winter, Berlin at UTC+01:00.
MONDAY = datetime(2030, 1, 7)  # noqa: DTZ001
MON, TUE, SUN = 0, 1, 6


def berlin(wall: datetime) -> datetime:
    return local_to_utc(wall, ZONE)


def queue_with(account: Any, *slots: tuple[int, time], paused: bool = False) -> Any:
    queue = PostingQueue.objects.create(account=account, paused=paused)
    for weekday, clock in slots:
        QueueSlot.objects.create(queue=queue, weekday=weekday, local_time=clock)
    return queue


@pytest.fixture
def account() -> Any:
    return TikTokAccountFactory(workspace=WorkspaceFactory(time_zone=ZONE))


def plan(account: Any, at: datetime, **fields: Any) -> PublishJob:
    return cast(
        PublishJob,
        PublishJobFactory(
            post__workspace=account.workspace,
            account=account,
            scheduled_at=at,
            **fields,
        ),
    )


def next_slot(account: Any, after: datetime) -> datetime | None:
    slot = queue_next_free_slot(account.pk, after=after)
    return slot.starts_at if slot else None


def test_the_next_slot_is_in_the_workspace_zone(account):
    # given Mon-Fri 09:00 and 18:00 in Berlin
    queue_with(account, (MON, time(9)), (MON, time(18)), (TUE, time(9)))
    # when asked at 08:00 on Monday
    slot = queue_next_free_slot(account.pk, after=berlin(MONDAY.replace(hour=8)))
    # then 09:00 Berlin, which is 08:00 UTC in winter
    assert slot is not None
    assert slot.starts_at == datetime.fromisoformat("2030-01-07T08:00:00+00:00")
    assert (slot.local.hour, slot.time_zone) == (9, ZONE)


def test_a_planned_post_takes_its_slot_and_removing_it_frees_the_slot(account):
    queue_with(account, (MON, time(9)), (MON, time(18)))
    after = berlin(MONDAY.replace(hour=8))
    job = plan(account, berlin(MONDAY.replace(hour=9)))
    # then the 09:00 slot is taken
    assert next_slot(account, after) == berlin(MONDAY.replace(hour=18))
    # when the post is cancelled, the slot is free again
    PublishJob.objects.filter(pk=job.pk).update(status=PublishJob.Status.CANCELLED)
    assert next_slot(account, after) == berlin(MONDAY.replace(hour=9))
    # and when a planned post is deleted, too
    other = plan(account, berlin(MONDAY.replace(hour=9)))
    assert next_slot(account, after) == berlin(MONDAY.replace(hour=18))
    other.post.delete()
    assert next_slot(account, after) == berlin(MONDAY.replace(hour=9))


def test_rescheduling_a_post_frees_its_slot(account):
    queue_with(account, (MON, time(9)), (MON, time(18)))
    job = plan(account, berlin(MONDAY.replace(hour=9)))
    # when the post moves to 11:00
    PublishJob.objects.filter(pk=job.pk).update(
        scheduled_at=berlin(MONDAY.replace(hour=11))
    )
    # then
    assert next_slot(account, berlin(MONDAY)) == berlin(MONDAY.replace(hour=9))


def test_a_paused_queue_offers_no_slot(account):
    queue = queue_with(account, (MON, time(9)), paused=True)
    assert next_slot(account, berlin(MONDAY)) is None
    # when it is resumed
    PostingQueue.objects.filter(pk=queue.pk).update(paused=False)
    assert next_slot(account, berlin(MONDAY)) == berlin(MONDAY.replace(hour=9))


def test_a_disconnected_accounts_queue_offers_no_slot(account):
    queue_with(account, (MON, time(9)))
    # when the account is disconnected
    TikTokAccount.objects.filter(pk=account.pk).update(
        status=TikTokAccount.Status.DISCONNECTED
    )
    # then its slots are offered nowhere (calendar, "Add to queue")
    assert next_slot(account, berlin(MONDAY)) is None


def test_an_account_without_a_queue_has_no_slot(account):
    assert next_slot(account, berlin(MONDAY)) is None


def test_a_day_at_the_daily_cap_offers_no_slot(account, settings):
    # given TikTok allows two posts a day and two are planned on Monday
    settings.TIKTOK_DAILY_POST_CAP = 2
    queue_with(account, (MON, time(9)), (MON, time(18)), (TUE, time(9)))
    plan(account, berlin(MONDAY.replace(hour=7)))
    plan(account, berlin(MONDAY.replace(hour=8)))
    # then Monday's slots are skipped; Tuesday 09:00 is 25 hours after 08:00
    assert next_slot(account, berlin(MONDAY)) == berlin(
        MONDAY.replace(hour=9) + timedelta(days=1)
    )


def test_the_cap_counts_a_rolling_24_hours_not_only_the_local_day(account, settings):
    # given two posts late on Sunday and a cap of two
    settings.TIKTOK_DAILY_POST_CAP = 2
    queue_with(account, (MON, time(9)), (MON, time(23)))
    plan(account, berlin(MONDAY - timedelta(hours=2)))
    plan(account, berlin(MONDAY - timedelta(hours=1)))
    # then 09:00 Monday would be a third post within 24 hours; 23:00 is not
    assert next_slot(account, berlin(MONDAY)) == berlin(MONDAY.replace(hour=23))


def test_free_slots_fill_in_order_and_stop_at_the_cap(account, settings):
    # given a cap of two and three slots on Monday, one post planned elsewhere
    settings.TIKTOK_DAILY_POST_CAP = 2
    queue_with(account, (MON, time(9)), (MON, time(12)), (MON, time(18)))
    plan(account, berlin(MONDAY.replace(hour=7)))
    # when
    free = queue_free_slots_between(
        workspace_ids=None,
        account_ids=None,
        start=berlin(MONDAY),
        end=berlin(MONDAY + timedelta(days=1)),
    )
    # then only one more post fits that day
    assert [slot.local.hour for slot in free] == [9]


def test_a_slot_the_clocks_skip_is_skipped(account):
    # given a Sunday 02:30 slot; on 31 March 2030 Berlin jumps 02:00 -> 03:00
    gap_day = datetime(2030, 3, 31, 2, 30)  # noqa: DTZ001
    with pytest.raises(NonexistentLocalTimeError):
        berlin(gap_day)
    queue_with(account, (SUN, time(2, 30)))
    # when
    saturday = datetime(2030, 3, 30, 12)  # noqa: DTZ001
    slot = next_slot(account, berlin(saturday))
    # then the next Sunday's 02:30, now in summer time
    assert slot == berlin(gap_day + timedelta(days=7))
    assert slot == datetime.fromisoformat("2030-04-07T00:30:00+00:00")


def test_a_post_of_several_accounts_takes_their_earliest_common_slot(account):
    other = TikTokAccountFactory(workspace=account.workspace)
    queue_with(account, (MON, time(9)), (MON, time(18)))
    queue_with(other, (MON, time(12)), (MON, time(18)))
    # then
    assert queue_next_common_slot(
        [account.pk, other.pk], after=berlin(MONDAY)
    ) == berlin(MONDAY.replace(hour=18))
    # and no common slot when one account has no queue
    lone = TikTokAccountFactory(workspace=account.workspace)
    assert queue_next_common_slot([account.pk, lone.pk], after=berlin(MONDAY)) is None


def test_free_slots_are_limited_to_the_workspaces_asked_for(account):
    queue_with(account, (MON, time(9)))
    stranger = TikTokAccountFactory(workspace=WorkspaceFactory(time_zone=ZONE))
    queue_with(stranger, (MON, time(10)))
    # when
    free = queue_free_slots_between(
        workspace_ids={account.workspace_id},
        account_ids=None,
        start=berlin(MONDAY),
        end=berlin(MONDAY + timedelta(days=1)),
    )
    # then
    assert [slot.account_id for slot in free] == [account.pk]


def _queries_for_week(accounts: int) -> int:
    workspace = WorkspaceFactory(time_zone=ZONE)
    for _ in range(accounts):
        member = TikTokAccountFactory(workspace=workspace)
        queue_with(member, *((day, time(hour)) for day in range(7) for hour in (9, 18)))
        for day in range(3):
            plan(member, berlin(MONDAY.replace(hour=9) + timedelta(days=day)))
    with CaptureQueriesContext(connection) as queries:
        free = queue_free_slots_between(
            workspace_ids={workspace.pk},
            account_ids=None,
            start=berlin(MONDAY),
            end=berlin(MONDAY + timedelta(days=7)),
        )
    assert len(free) == accounts * 11
    return len(queries)


def test_the_slot_selector_query_count_does_not_grow():
    assert _queries_for_week(2) == _queries_for_week(12) == 3
