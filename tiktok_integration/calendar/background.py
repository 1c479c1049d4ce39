"""The calendar's markers behind and between the posts: each account's local
day over TikTok's caps (docs/tiktok.md §6, §4.4) and the queues' free slots.

Both count the same planned jobs, which the feed reads once for its range
(``planned_jobs.planned_jobs_between``) and passes here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tiktok_integration.calendar.capacity import capacity_of_planned
from tiktok_integration.calendar.slots import slot_events
from tiktok_integration.planned_jobs import PlannedJob


def calendar_background_events(
    *,
    start: datetime,
    end: datetime,
    time_zone: str,
    workspace_id: int,
    account_id: int | None,
    utc_start: datetime,
    utc_end: datetime,
    now: datetime,
    planned: Sequence[PlannedJob],
    usernames: Mapping[int, str],
) -> list[dict[str, Any]]:
    """Markers for the range [``start``, ``end``) (naive wall times in
    ``time_zone``), searched in [``utc_start``, ``utc_end``) (aware),
    ``extendedProps.kind`` naming each: each account's local day over
    TikTok's daily post cap or the pending-inbox limit (``kind``
    "capacity", all day, ``display`` "background"), then the queues' free
    slots of the workspace (only ``account_id``'s when given) still ahead of
    ``now`` (``kind`` "slot", timed, ``slots.slot_events``).

    ``planned``: the workspace's planned jobs (those of ``account_id`` when
    given) scheduled or counted within a day of the search range
    (``planned_jobs_between``); ``usernames``: account id -> username.
    Capacity shape: ``id`` "capacity-<account id>-<day>", ``start`` the ISO
    day, ``allDay`` True, ``title`` "Over cap: @<username>", ``classNames``
    ["pd-over-cap"], ``extendedProps``: ``accountId``, ``messages`` (the
    sentences of ``DayCapacity.messages``). Two queries (the queues and
    their slots), however many posts.
    """
    days = capacity_of_planned(
        (
            (account_id, mode, scheduled_at)
            for account_id, _, mode, scheduled_at, _ in planned
            if utc_start <= scheduled_at < utc_end
        ),
        time_zone=time_zone,
        names=usernames,
    )
    first, last = start.date(), end.date()
    events = []
    # By day, then account: the same order on every request.
    for (over_account, day), capacity in sorted(
        days.items(), key=lambda kv: kv[0][::-1]
    ):
        if not capacity.is_over or not first <= day < last:
            continue
        events.append(
            {
                "id": f"capacity-{over_account}-{day.isoformat()}",
                "start": day.isoformat(),
                "allDay": True,
                "display": "background",
                "title": f"Over cap: @{capacity.username}",
                "classNames": ["pd-over-cap"],
                "extendedProps": {
                    "kind": "capacity",
                    "accountId": over_account,
                    "messages": capacity.messages(),
                },
            }
        )
    events.extend(
        slot_events(
            workspace_id=workspace_id,
            account_id=account_id,
            time_zone=time_zone,
            start=start,
            end=end,
            utc_start=utc_start,
            utc_end=utc_end,
            now=now,
            planned=planned,
            usernames=usernames,
        )
    )
    return events
