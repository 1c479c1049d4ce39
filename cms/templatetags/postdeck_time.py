"""Template filters that write a moment the one way the admin shows times.

``{{ moment|when }}`` -> "30 Nov 2026, 10:00 UTC"; ``{{ moment|when:"Europe/Rome" }}``
-> "30 Nov 2026, 11:00 CET"; ``{{ moment|clock:zone }}`` -> "11:00 CET".
Minutes are always shown and the zone is always named (config/formats/en).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import formats, timezone

register = template.Library()


def _local(moment: datetime, zone: str) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    try:
        return timezone.localtime(moment, ZoneInfo(zone) if zone else None)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.localtime(moment)


@register.filter
def when(moment: datetime | None, zone: str = "") -> str:
    """``moment`` (a datetime, or None -> "—") in ``zone`` (an IANA name; the
    current zone when empty or unknown) as "30 Nov 2026, 10:00 CET"."""
    if not isinstance(moment, datetime):
        return "—"
    return formats.date_format(_local(moment, zone), "DATETIME_FORMAT")


@register.filter
def clock(moment: datetime | None, zone: str = "") -> str:
    """``moment``'s time of day in ``zone`` with the zone named: "10:00 CET"
    (None -> "—")."""
    if not isinstance(moment, datetime):
        return "—"
    local = _local(moment, zone)
    return f"{formats.time_format(local, 'TIME_FORMAT')} {local.tzname()}"
