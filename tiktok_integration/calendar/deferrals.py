"""Cap deferrals on the calendar (docs/queues.md, docs/tiktok.md §6).

A post one of TikTok's caps deferred keeps its planned time: its event stays
there and carries when Postdeck tries next and why. It also appears a second
time, at the next try, as a "next try" event that links to the same post and
cannot be dragged (the post moves by its planned time). A post whose workspace
waits for staff has no next try: its event says it waits for a new time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cms.scheduling import utc_to_local
from tiktok_integration.selectors import CapDeferral, cap_deferrals_between

#: Why a "next try" event cannot be dragged.
NEXT_TRY_LOCKED = (
    "This is when Postdeck tries again; move the post at its planned time instead."
)


def calendar_wall(moment: datetime, time_zone: str) -> datetime:
    """``moment`` (aware) as a naive wall time in ``time_zone``."""
    return utc_to_local(moment, time_zone).replace(tzinfo=None)


def deferrals_by_post(
    *,
    workspace_id: int,
    account_id: int | None,
    start: datetime,
    end: datetime,
) -> dict[int, list[CapDeferral]]:
    """The workspace's cap deferrals whose planned time or next try falls in
    [start, end) (aware UTC), by post id; only ``account_id``'s when given.
    One query, however many deferrals."""
    found: dict[int, list[CapDeferral]] = defaultdict(list)
    for deferral in cap_deferrals_between(
        workspace_ids={workspace_id}, start=start, end=end
    ):
        if account_id is None or deferral.account_id == account_id:
            found[deferral.post_id].append(deferral)
    return found


def _username(accounts: Mapping[int, tuple[str, str]], account_id: int) -> str:
    return accounts.get(account_id, ("?", ""))[0]


def deferral_props(
    deferrals: Sequence[CapDeferral],
    *,
    time_zone: str,
    accounts: Mapping[int, tuple[str, str]],
) -> dict[str, Any]:
    """The ``extendedProps`` a deferred post's event adds (none when
    ``deferrals`` is empty): ``deferred`` True; ``nextAttemptAt`` the earliest
    next try as an ISO wall time in ``time_zone`` without offset (like the
    event's ``start``), "" when every copy waits for staff; ``deferHeld``
    whether a copy waits for staff to pick a new time; ``deferReason`` the
    caps' names ("; "-joined); ``deferMessage`` the sentences staff see, each
    after its account (``accounts``: id -> (username, avatar URL))."""
    if not deferrals:
        return {}
    tries = sorted(d.next_try_at for d in deferrals if d.next_try_at and not d.held)
    labels = list(dict.fromkeys(d.reason_label for d in deferrals))
    return {
        "deferred": True,
        "nextAttemptAt": (
            calendar_wall(tries[0], time_zone).isoformat(timespec="seconds")
            if tries
            else ""
        ),
        "deferHeld": any(d.held for d in deferrals),
        "deferReason": "; ".join(labels),
        "deferMessage": " ".join(
            f"@{_username(accounts, d.account_id)}: {d.message}" for d in deferrals
        ),
    }


def next_try_events(
    post_event: Mapping[str, Any],
    deferrals: Sequence[CapDeferral],
    *,
    time_zone: str,
    start: datetime,
    end: datetime,
    accounts: Mapping[int, tuple[str, str]],
) -> list[dict[str, Any]]:
    """One "next try" event per copy of the post that Postdeck retries by
    itself, at the next try's wall time in ``time_zone`` when it falls in
    [start, end) (naive wall times).

    ``post_event``: the post's own event (``post_event`` in ``feed``), whose
    title, state and planned time these repeat. Shape: ``id``
    "next-try-<job id>", ``title``, ``start``, ``editable`` False,
    ``classNames`` ["pd-next-try", "pd-state-<state>"], ``extendedProps``:
    ``kind`` "next_try", ``postId``, ``state``, ``stateLabel``, ``time``
    "HH:MM", ``plannedAt`` (ISO wall time of the planned time), ``accounts``
    [the deferred copy's account], ``deferReason``, ``deferMessage``,
    ``movable`` False, ``lockedReason``.
    """
    props = post_event["extendedProps"]
    events = []
    for deferral in deferrals:
        if deferral.held or deferral.next_try_at is None:
            continue
        wall = calendar_wall(deferral.next_try_at, time_zone)
        if not start <= wall < end:
            continue
        username, avatar = accounts.get(deferral.account_id, ("?", ""))
        events.append(
            {
                "id": f"next-try-{deferral.job_id}",
                "title": post_event["title"],
                "start": wall.isoformat(timespec="seconds"),
                "editable": False,
                "classNames": ["pd-next-try", f"pd-state-{props['state']}"],
                "extendedProps": {
                    "kind": "next_try",
                    "postId": post_event["id"],
                    "state": props["state"],
                    "stateLabel": props["stateLabel"],
                    "time": f"{wall.hour:02d}:{wall.minute:02d}",
                    "plannedAt": calendar_wall(
                        deferral.planned_at, time_zone
                    ).isoformat(timespec="seconds"),
                    "thumbnail": props["thumbnail"],
                    "accounts": [{"username": username, "avatar": avatar}],
                    "deferReason": deferral.reason_label,
                    "deferMessage": f"@{username}: {deferral.message}",
                    "movable": False,
                    "lockedReason": NEXT_TRY_LOCKED,
                },
            }
        )
    return events
