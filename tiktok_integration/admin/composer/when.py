"""The choices the composer offers when a typed wall time is not one instant:
a DST gap (the time does not exist) or a fold (it happens twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cms.scheduling import (
    AmbiguousLocalTimeError,
    LocalTimeError,
    NonexistentLocalTimeError,
    describe_offset,
)


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
