"""Wall time in a time zone <-> UTC: the one conversion every schedule uses.

A post is scheduled as staff typed it ("10:00 in Europe/Rome"); the instant it
goes out is derived from that wall time and the zone here, and nowhere else
(composer, admin post form, calendar, bulk import). Wall times that do not
exist (the hour skipped when clocks go forward) or exist twice (the hour
repeated when clocks go back) are refused with a sentence that names the valid
choices, never silently shifted.

Pure Python and ``zoneinfo``: no Django.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

MINUTE = timedelta(minutes=1)


class LocalTimeError(ValueError):
    """Base: a wall time that cannot be scheduled as typed (``str()`` is a
    sentence for staff)."""


class NonexistentLocalTimeError(LocalTimeError):
    """The wall time falls in a gap (clocks jump forward).

    ``earlier``: aware, in the zone, the last valid minute before the gap
    (e.g. 01:59+01:00 in Europe/Rome); ``later``: aware, the first valid wall
    time after it (e.g. 03:00+02:00); ``shifted``: the typed time moved on by
    the gap's length (e.g. 02:30 -> 03:30+02:00).
    """

    def __init__(
        self,
        message: str,
        *,
        earlier: datetime,
        later: datetime,
        shifted: datetime,
    ) -> None:
        super().__init__(message)
        self.earlier = earlier
        self.later = later
        self.shifted = shifted


class AmbiguousLocalTimeError(LocalTimeError):
    """The wall time happens twice (clocks go back) and no ``fold`` chose one.

    ``first``: aware, fold=0, the earlier instant (e.g. 02:30+02:00);
    ``second``: aware, fold=1, the later instant (e.g. 02:30+01:00).
    """

    def __init__(self, message: str, *, first: datetime, second: datetime) -> None:
        super().__init__(message)
        self.first = first
        self.second = second


def zone(time_zone: str) -> zoneinfo.ZoneInfo:
    """The IANA zone named ``time_zone``; raises ``LocalTimeError`` if unknown."""
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise LocalTimeError(
            f"'{time_zone}' is not a time zone; use a name such as 'Europe/Rome'."
        ) from error


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}"


def local_to_utc(
    wall_time: datetime, time_zone: str, *, fold: int | None = None
) -> datetime:
    """The aware UTC instant at which the clocks in ``time_zone`` show
    ``wall_time`` (naive; seconds allowed).

    ``fold`` answers a repeated wall time: 0 the first (earlier) occurrence,
    1 the second. Raises ``NonexistentLocalTimeError`` in a gap,
    ``AmbiguousLocalTimeError`` in a repeat when ``fold`` is None,
    ``LocalTimeError`` for an unknown zone, an aware ``wall_time`` or a
    ``fold`` other than None/0/1.
    """
    if wall_time.tzinfo is not None:
        raise LocalTimeError("The wall time must be given without a time zone.")
    if fold not in (None, 0, 1):
        raise LocalTimeError("Choose the first or the second occurrence (0 or 1).")
    tz = zone(time_zone)
    first = wall_time.replace(tzinfo=tz, fold=0)
    second = wall_time.replace(tzinfo=tz, fold=1)
    offset_first, offset_second = first.utcoffset(), second.utcoffset()
    if offset_first is None or offset_second is None or offset_first == offset_second:
        return first.astimezone(UTC)
    if offset_first > offset_second:
        # Clocks went back: the wall time happens twice.
        first_instant = first.astimezone(UTC).astimezone(tz)
        second_instant = second.astimezone(UTC).astimezone(tz)
        if fold is None:
            change = _change_instant(first_instant, second_instant, tz)
            raise AmbiguousLocalTimeError(
                f"{_clock(wall_time)} on {_day(wall_time)} happens twice in "
                f"{time_zone}: the clocks go back from "
                f"{_clock(change + offset_first)} to {_clock(change + offset_second)}."
                f" Choose the first ({describe_offset(first_instant, time_zone)}) "
                f"or the second ({describe_offset(second_instant, time_zone)}).",
                first=first_instant,
                second=second_instant,
            )
        return (second if fold else first).astimezone(UTC)
    # Clocks jumped forward: this wall time never shows. Read with the offset
    # after the change it is an instant before the change, and vice versa.
    change = _change_instant(second.astimezone(UTC), first.astimezone(UTC), tz)
    later = change.astimezone(tz)
    earlier = (change - MINUTE).astimezone(tz)
    raise NonexistentLocalTimeError(
        f"{_clock(wall_time)} on {_day(wall_time)} does not exist in {time_zone}: "
        f"the clocks jump from {_clock(change + offset_first)} to "
        f"{_clock(later)}. Choose {_clock(earlier)} or {_clock(later)}.",
        earlier=earlier,
        later=later,
        shifted=first.astimezone(UTC).astimezone(tz),
    )


def _change_instant(
    before: datetime, after: datetime, tz: zoneinfo.ZoneInfo
) -> datetime:
    """The UTC instant (whole minute) the offset changes, between ``before``
    and ``after`` (aware; the change lies within them, a few hours at most)."""
    old_offset = before.astimezone(tz).utcoffset()
    probe = before.astimezone(UTC).replace(second=0, microsecond=0)
    while probe < after:
        probe += MINUTE
        if probe.astimezone(tz).utcoffset() != old_offset:
            return probe
    return after.astimezone(UTC)


def utc_to_local(moment: datetime, time_zone: str) -> datetime:
    """``moment`` (aware) as wall time in ``time_zone``, aware in that zone
    (``fold`` set on the second occurrence of a repeated hour). Raises
    ``LocalTimeError`` for an unknown zone or a naive ``moment``."""
    if moment.tzinfo is None:
        raise LocalTimeError("The instant must be aware (UTC).")
    return moment.astimezone(zone(time_zone))


def describe_offset(moment: datetime, time_zone: str) -> str:
    """The zone's offset from UTC at ``moment`` (aware), e.g. "UTC+05:30",
    "UTC\u221204:00" (a true minus sign, U+2212), "UTC+00:00"."""
    offset = utc_to_local(moment, time_zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def format_local(moment: datetime, time_zone: str) -> str:
    """``moment`` (aware) as staff read it in ``time_zone``, minutes always
    shown, with the zone's abbreviation and name, e.g.
    "29 Mar 2026, 10:00 CEST (Europe/Rome)"."""
    local = utc_to_local(moment, time_zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()} ({time_zone})"
