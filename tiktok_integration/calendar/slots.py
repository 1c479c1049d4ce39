"""A posting queue's empty slots on the calendar (docs/queues.md).

Each free slot of the visible range (``queue_free_slots_between``: not taken,
within TikTok's daily cap, queue not paused) is a timed event the page draws
as a dashed "free slot" box that opens the composer at that time for that
account. They are ordinary (not background) events because FullCalendar
draws timed background events only in the week's time grid, never in the
month or list views, and they take no clicks or focus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from tiktok_integration.calendar.deferrals import calendar_wall
from tiktok_integration.planned_jobs import PlannedJob
from tiktok_integration.queues import queue_free_slots_among


def slot_events(
    *,
    workspace_id: int,
    account_id: int | None,
    time_zone: str,
    start: datetime,
    end: datetime,
    utc_start: datetime,
    utc_end: datetime,
    now: datetime,
    planned: Iterable[PlannedJob],
    usernames: Mapping[int, str],
) -> list[dict[str, Any]]:
    """The free queue slots of the workspace's accounts (only ``account_id``'s
    when given) whose wall time in ``time_zone`` falls in [start, end) (naive)
    and that are still ahead of ``now``; ``utc_start``/``utc_end`` (aware)
    bound the search. ``planned``: the accounts' planned jobs counted within
    a day of that search (``planned_jobs_between``, read once by the feed);
    ``usernames``: account id -> username.

    Shape: ``id`` "slot-<account id>-<UTC instant>", ``title`` "Free slot
    @<username>", ``start`` (ISO wall time), ``editable`` False,
    ``classNames`` ["pd-slot"], ``extendedProps``: ``kind`` "slot",
    ``accountId``, ``username``, ``time`` "HH:MM". Two queries (the queues
    and their slots), however many slots and posts.
    """
    free = queue_free_slots_among(
        workspace_ids={workspace_id},
        account_ids=None if account_id is None else [account_id],
        start=max(utc_start, now),
        end=utc_end,
        planned=planned,
    )
    events = []
    for slot in free:
        wall = calendar_wall(slot.starts_at, time_zone)
        if not start <= wall < end:
            continue
        username = usernames.get(slot.account_id, "?")
        events.append(
            {
                "id": f"slot-{slot.account_id}-{slot.starts_at:%Y%m%dT%H%M}",
                "title": f"Free slot @{username}",
                "start": wall.isoformat(timespec="seconds"),
                "editable": False,
                "classNames": ["pd-slot"],
                "extendedProps": {
                    "kind": "slot",
                    "accountId": slot.account_id,
                    "username": username,
                    "time": f"{wall.hour:02d}:{wall.minute:02d}",
                },
            }
        )
    return events
