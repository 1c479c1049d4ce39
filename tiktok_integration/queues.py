"""Posting queues: an account's weekly slots, and which of them are free.

A slot is a weekday and a wall time in the workspace's zone (``QueueSlot``).
Slots are not reserved: a slot is taken when a post of the account is planned
at its instant (a job that is not cancelled or failed, by its planned
``scheduled_at``), so deleting, cancelling or rescheduling a post frees it.

A queue never plans more posts than TikTok allows (docs/tiktok.md §6): a slot
is offered only while the account's posts, counted with the slots before it
that the queue would fill, stay below ``TIKTOK_DAILY_POST_CAP`` (default
``facts.DAILY_POST_CAP``) both on the slot's local day and in every 24 hours
around it (TikTok counts a rolling 24 hours; a local day of 25 hours on a DST
change could otherwise hold one more). Drafts are counted too, which keeps a
queue of drafts well inside the inbox limit's pace.

DST: wall times go through ``cms.scheduling.local_to_utc``. A slot whose wall
time does not exist that day (clocks jump forward) is skipped; a wall time that
happens twice (clocks go back) is taken at its first occurrence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from cms.scheduling import LocalTimeError, local_to_utc, utc_to_local, zone
from tiktok_integration.client.facts import CAP_WINDOW_SECONDS
from tiktok_integration.models import (
    PostingQueue,
    QueueSlot,
    TikTokAccount,
)
from tiktok_integration.planned_jobs import PlannedJob, planned_jobs_between

DAY = timedelta(seconds=CAP_WINDOW_SECONDS)
#: How far ahead "Add to queue" looks for a free slot.
QUEUE_HORIZON = timedelta(weeks=8)


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """An empty slot of ``account_id``'s queue: ``starts_at`` aware UTC,
    ``local`` the same instant as wall time in ``time_zone`` (aware)."""

    account_id: int
    starts_at: datetime
    local: datetime
    time_zone: str


@dataclass(slots=True)
class _Plan:
    """One account's planned posts: instants that hold a slot, the instants
    counted toward the cap (sorted, growing as slots are filled) and how many
    fall on each local day of the workspace's zone (``local_zone``)."""

    local_zone: ZoneInfo
    taken: set[datetime] = field(default_factory=set)
    counted: list[datetime] = field(default_factory=list)
    per_day: Counter[date] = field(default_factory=Counter)

    def add(self, moment: datetime) -> None:
        insort(self.counted, moment)
        self.per_day[moment.astimezone(self.local_zone).date()] += 1


def _queues(queues: QuerySet[PostingQueue]) -> list[PostingQueue]:
    return list(
        queues.select_related("account__workspace").prefetch_related(
            Prefetch(
                "slots", queryset=QueueSlot.objects.order_by("weekday", "local_time")
            )
        )
    )


def _plans(
    zones: dict[int, str],
    start: datetime,
    end: datetime,
    planned: Iterable[PlannedJob],
) -> dict[int, _Plan]:
    """The planned posts of each account of ``zones`` (account id -> its
    workspace's zone) counted in [start - DAY, end + DAY), from ``planned``
    (any superset of them)."""
    local_zones = {name: zone(name) for name in set(zones.values())}
    plans = {account_id: _Plan(local_zones[name]) for account_id, name in zones.items()}
    low, high = start - DAY, end + DAY
    for account_id, _, _, scheduled_at, counted_at in planned:
        plan = plans.get(account_id)
        if plan is not None and low <= counted_at < high:
            plan.taken.add(scheduled_at)
            plan.add(counted_at)
    return plans


def _instants(
    slots: list[QueueSlot], time_zone: str, start: datetime, end: datetime
) -> list[datetime]:
    """The UTC instants of ``slots`` in [start, end), skipping wall times that
    do not exist that day."""
    day: date = utc_to_local(start, time_zone).date()
    last: date = utc_to_local(end, time_zone).date()
    by_weekday: dict[int, list[time]] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append(slot.local_time)
    found: list[datetime] = []
    while day <= last:
        for clock in by_weekday.get(day.weekday(), ()):
            try:
                moment = local_to_utc(datetime.combine(day, clock), time_zone, fold=0)
            except LocalTimeError:
                continue  # the clocks jump over this wall time today
            if start <= moment < end:
                found.append(moment)
        day += timedelta(days=1)
    return sorted(found)


def _within_cap(plan: _Plan, moment: datetime, cap: int) -> bool:
    counted = plan.counted
    if plan.per_day[moment.astimezone(plan.local_zone).date()] >= cap:
        return False
    # Every 24-hour window holding ``moment`` must keep a place for it; the
    # fullest such window starts at a planned post (or at the slot itself).
    first = bisect_right(counted, moment - DAY)
    starts = [*counted[first : bisect_right(counted, moment)], moment]
    return all(
        bisect_left(counted, begin + DAY) - bisect_left(counted, begin) < cap
        for begin in starts
    )


def _free_slots(
    queue: PostingQueue, plan: _Plan, start: datetime, end: datetime
) -> list[FreeSlot]:
    time_zone = queue.account.workspace.time_zone
    cap = settings.TIKTOK_DAILY_POST_CAP
    free: list[FreeSlot] = []
    for moment in _instants(list(queue.slots.all()), time_zone, start, end):
        if moment in plan.taken or not _within_cap(plan, moment, cap):
            continue
        free.append(
            FreeSlot(
                queue.account_id, moment, utc_to_local(moment, time_zone), time_zone
            )
        )
        # The queue fills slots in order: later slots count this one.
        plan.add(moment)
    return free


def _active_queues(
    workspace_ids: Collection[int] | None, account_ids: Iterable[int] | None
) -> list[PostingQueue]:
    # A disconnected account is offered nowhere (composer, job form, queues).
    queues = PostingQueue.objects.filter(paused=False).exclude(
        account__status=TikTokAccount.Status.DISCONNECTED
    )
    if workspace_ids is not None:
        queues = queues.filter(account__workspace_id__in=list(workspace_ids))
    if account_ids is not None:
        queues = queues.filter(account_id__in=list(account_ids))
    return _queues(queues)


def queue_free_slots_between(
    *,
    workspace_ids: Collection[int] | None,
    account_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    exclude_post_id: int | None = None,
) -> list[FreeSlot]:
    """The empty slots in [start, end) (aware) of the accounts' queues, in
    time order: the slots "Add to queue" would fill, one after the other.

    ``workspace_ids`` None means every workspace (a superuser); ``account_ids``
    None every account of those workspaces. Paused queues, and the queues of
    disconnected accounts, offer none; a slot
    is left out when a post is planned at it, when filling it would pass
    TikTok's daily cap (module docstring, §6), or when its wall time does not
    exist that day. ``exclude_post_id``: that post's jobs are not counted (it
    is the one being placed). Three queries, however many slots and posts.
    """
    chosen = _active_queues(workspace_ids, account_ids)
    planned = planned_jobs_between(
        account_ids=[queue.account_id for queue in chosen],
        workspace_ids=None,
        start=start - DAY,
        end=end + DAY,
        exclude_post_id=exclude_post_id,
    )
    return _free_slots_of(chosen, start, end, planned)


def queue_free_slots_among(
    *,
    workspace_ids: Collection[int] | None,
    account_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    planned: Iterable[PlannedJob],
) -> list[FreeSlot]:
    """``queue_free_slots_between`` with the planned jobs read already:
    ``planned`` must hold every planned job of the queues' accounts counted
    in [start - DAY, end + DAY) (``planned_jobs_between`` over that window or
    a wider one; others are ignored). Two queries (the queues, their slots),
    however many slots and posts."""
    chosen = _active_queues(workspace_ids, account_ids)
    return _free_slots_of(chosen, start, end, planned)


def _free_slots_of(
    chosen: list[PostingQueue],
    start: datetime,
    end: datetime,
    planned: Iterable[PlannedJob],
) -> list[FreeSlot]:
    plans = _plans(
        {q.account_id: q.account.workspace.time_zone for q in chosen},
        start,
        end,
        planned,
    )
    free = [
        slot
        for queue in chosen
        for slot in _free_slots(queue, plans[queue.account_id], start, end)
    ]
    return sorted(free, key=lambda slot: (slot.starts_at, slot.account_id))


def queue_next_free_slot(
    account_id: int, *, after: datetime, exclude_post_id: int | None = None
) -> FreeSlot | None:
    """``account_id``'s first free slot strictly after ``after`` (aware)
    within ``QUEUE_HORIZON``, or None (no queue, paused, no slots, or full)."""
    free = queue_free_slots_between(
        workspace_ids=None,
        account_ids=[account_id],
        start=after + timedelta(microseconds=1),
        end=after + QUEUE_HORIZON,
        exclude_post_id=exclude_post_id,
    )
    return free[0] if free else None


def queue_next_common_slot(
    account_ids: Iterable[int], *, after: datetime, exclude_post_id: int | None = None
) -> datetime | None:
    """The earliest instant (aware UTC) after ``after`` that is a free slot in
    the queue of every account of ``account_ids`` (a post has one time, and
    all its accounts' copies go at it), within ``QUEUE_HORIZON``; None when
    there is none (an account without an active queue, or no shared slot)."""
    wanted = set(account_ids)
    if not wanted:
        return None
    free = queue_free_slots_between(
        workspace_ids=None,
        account_ids=wanted,
        start=after + timedelta(microseconds=1),
        end=after + QUEUE_HORIZON,
        exclude_post_id=exclude_post_id,
    )
    holders: dict[datetime, set[int]] = {}
    for slot in free:
        holders.setdefault(slot.starts_at, set()).add(slot.account_id)
    return next(
        (moment for moment in sorted(holders) if holders[moment] == wanted), None
    )
