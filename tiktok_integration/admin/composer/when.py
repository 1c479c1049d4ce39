"""The composer's "when": the choices it offers when a typed wall time is not
one instant (a DST gap or a fold), and a time filled in from the address (the
calendar's "new post" on a day or a slot)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from cms.scheduling import (
    AmbiguousLocalTimeError,
    LocalTimeError,
    NonexistentLocalTimeError,
    describe_offset,
    zone,
)
from tiktok_integration.admin.composer.submission import LATER


@dataclass(frozen=True, slots=True)
class TimeChoice:
    """``value`` is what the form sends back as ``when_pick``:
    ``"<naive ISO wall time>|<fold or empty>"``."""

    value: str
    label: str


def _wall(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def local_time_choices(
    error: LocalTimeError | None, time_zone: str
) -> list[TimeChoice]:
    """The valid wall times around a gap, or both instants of a fold; none
    for any other error."""
    if isinstance(error, NonexistentLocalTimeError):
        return [
            TimeChoice(
                value=f"{_wall(error.earlier)}|",
                label=f"{error.earlier:%Y-%m-%d %H:%M} "
                f"({describe_offset(error.earlier, time_zone)}), just before "
                "the clocks go forward",
            ),
            TimeChoice(
                value=f"{_wall(error.later)}|",
                label=f"{error.later:%Y-%m-%d %H:%M} "
                f"({describe_offset(error.later, time_zone)}), when the clocks "
                "have gone forward",
            ),
        ]
    if isinstance(error, AmbiguousLocalTimeError):
        return [
            TimeChoice(
                value=f"{_wall(error.first)}|0",
                label=f"{error.first:%Y-%m-%d %H:%M} "
                f"({describe_offset(error.first, time_zone)}), the first time, "
                "before the clocks go back",
            ),
            TimeChoice(
                value=f"{_wall(error.second)}|1",
                label=f"{error.second:%Y-%m-%d %H:%M} "
                f"({describe_offset(error.second, time_zone)}), the second "
                "time, after the clocks have gone back",
            ),
        ]
    return []


def when_prefill(query: Mapping[str, str]) -> dict[str, Any]:
    """The "when" values a new post starts with from ``?date=YYYY-MM-DD``,
    ``&time=HH:MM`` (default 09:00) and ``&tz=<IANA zone>``; nothing for a
    missing or malformed date, and the zone left out when unknown. The time
    is checked (past, DST) when the post is saved, as if typed."""
    try:
        day = date.fromisoformat(query.get("date", ""))
        clock = time.fromisoformat(query.get("time") or "09:00")
    except ValueError:
        return {}
    values: dict[str, Any] = {
        "when": LATER,
        "when_date": day.isoformat(),
        "when_time": clock.strftime("%H:%M"),
    }
    name = query.get("tz", "")
    if name:
        try:
            zone(name)
        except LocalTimeError:
            return values
        values["time_zone"] = name
    return values
