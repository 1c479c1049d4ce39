"""One plan row's cells into typed values, or sentences saying what to fix.

Times: ISO 8601 only (``2026-03-29T10:00``, a space for the ``T``, seconds,
an offset such as ``+02:00`` or ``Z``), or a date-time cell in XLSX. A naive
time is read in the row's ``timezone`` (the workspace's when empty) by
``cms.scheduling``; an offset picks the occurrence of a repeated hour and
must be the zone's offset at that time. Other formats (29/03/2026) are
refused: which of day and month comes first cannot be known.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cms.scheduling import AmbiguousLocalTimeError, LocalTimeError, local_to_utc
from tiktok_integration.analytics.export import FORMULA_STARTS
from tiktok_integration.bulk.contract import (
    BOOLEAN_COLUMNS,
    FALSE_WORDS,
    MEDIA_SEPARATOR,
    TRUE_WORDS,
)
from tiktok_integration.bulk.reading import PlanRow
from tiktok_integration.client.facts import PrivacyLevel
from tiktok_integration.composer import DIRECT, DRAFT

ISO_EXAMPLE = "2026-03-29T10:00 (ISO 8601: year-month-day, 24-hour clock)"
OTHER_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row's values, typed. ``wall_time`` naive in ``time_zone``; ``fold``
    0/1 when an offset chose it, else None; ``scheduled_at`` aware UTC;
    ``media`` the references as written (ids, SHA-256, paths or URLs)."""

    line: int
    external_id: str
    account: str
    media: tuple[str, ...]
    caption: str
    wall_time: datetime
    time_zone: str
    fold: int | None
    scheduled_at: datetime
    mode: str
    privacy_level: str
    allow_comment: bool
    allow_duet: bool
    allow_stitch: bool
    brand_organic: bool
    brand_content: bool
    is_aigc: bool
    cover_timestamp_ms: int | None


def text_of(value: Any) -> str:
    """A cell as text, with the apostrophe ``export_posts`` put in front of
    formula-like text removed (so an export re-imports unchanged)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


EMPTY_MEDIA = "media is empty: give a library id, SHA-256, path or URL."


def parse_row(row: PlanRow, default_zone: str) -> tuple[ParsedRow | None, list[str]]:
    """Read ``row``; ``default_zone`` is the workspace's. Returns the parsed
    row, or None with every problem found (each names its column)."""
    problems: list[str] = []
    values = row.values
    external_id = text_of(values.get("external_id")).strip()
    if not external_id:
        problems.append("external_id is empty: give each post a key of your own.")
    elif len(external_id) > 120:
        problems.append("external_id is longer than 120 characters.")
    account = text_of(values.get("account")).strip().removeprefix("@")
    if not account:
        problems.append("account is empty: give the TikTok username or open_id.")
    media = tuple(
        part.strip()
        for part in text_of(values.get("media")).split(MEDIA_SEPARATOR)
        if part.strip()
    )
    # An empty media cell alone is judged where a post would be written
    # (importer._decide): a row that leaves its post as it is needs none.
    # Beside other problems it is named with them, in column order.
    media_at = len(problems)
    mode = text_of(values.get("mode")).strip().lower()
    if mode not in (DIRECT, DRAFT):
        problems.append(f"mode is '{mode}': write 'direct' or 'draft'.")
    privacy = text_of(values.get("privacy_level")).strip().upper()
    if privacy and privacy not in set(PrivacyLevel):
        problems.append(
            f"privacy_level '{privacy}' is not one of {', '.join(PrivacyLevel)}."
        )
    flags = {name: _flag(values.get(name), name, problems) for name in BOOLEAN_COLUMNS}
    cover = _cover(values.get("cover_timestamp_ms"), problems)
    time_zone = text_of(values.get("timezone")).strip() or default_zone
    when = _when(values.get("scheduled_at"), time_zone, problems)
    if problems and not media:
        problems.insert(media_at, EMPTY_MEDIA)
    if problems or when is None:
        return None, problems
    wall_time, fold, scheduled_at = when
    return (
        ParsedRow(
            line=row.line,
            external_id=external_id,
            account=account,
            media=media,
            caption=text_of(values.get("caption")),
            wall_time=wall_time,
            time_zone=time_zone,
            fold=fold,
            scheduled_at=scheduled_at,
            mode=mode,
            privacy_level=privacy,
            cover_timestamp_ms=cover,
            **flags,
        ),
        [],
    )


def _flag(value: Any, name: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    word = text_of(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        problems.append(f"{name} is '{word}': write true or false.")
    return False


def _cover(value: Any, problems: list[str]) -> int | None:
    text = text_of(value).strip()
    if not text:
        return None
    if not text.isdigit():
        problems.append(
            f"cover_timestamp_ms is '{text}': write whole milliseconds, e.g. 1500."
        )
        return None
    return int(text)


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _zone_problem(time_zone: str) -> str:
    close = difflib.get_close_matches(time_zone, _zone_names(), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as "
    return f"timezone '{time_zone}' is not a time zone: {hint}" + (
        "" if close else "'Europe/Rome'."
    )


def _when(
    value: Any, time_zone: str, problems: list[str]
) -> tuple[datetime, int | None, datetime] | None:
    if time_zone not in _zone_names():
        problems.append(_zone_problem(time_zone))
        return None
    moment = _moment(value, problems)
    if moment is None:
        return None
    wall_time = moment.replace(tzinfo=None)
    try:
        if moment.tzinfo is None:
            return wall_time, None, local_to_utc(wall_time, time_zone)
        instant = moment.astimezone(UTC)
        for fold in (0, 1):
            if local_to_utc(wall_time, time_zone, fold=fold) == instant:
                return wall_time, fold, instant
    except AmbiguousLocalTimeError as error:
        first = error.first.isoformat(timespec="minutes")
        second = error.second.isoformat(timespec="minutes")
        problems.append(
            f"scheduled_at: {error} Write the offset: {first} for the first, "
            f"{second} for the second."
        )
        return None
    except LocalTimeError as error:
        problems.append(f"scheduled_at: {error}")
        return None
    problems.append(
        f"scheduled_at '{moment.isoformat()}' has an offset that {time_zone} does "
        f"not have at that time; write it without the offset, or fix the zone."
    )
    return None


def _moment(value: Any, problems: list[str]) -> datetime | None:
    if isinstance(value, datetime):
        return value
    text = text_of(value).strip()
    if not text:
        problems.append(f"scheduled_at is empty: write e.g. {ISO_EXAMPLE}.")
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        kind = "a date in another format" if OTHER_DATE.match(text) else "not a date"
        problems.append(f"scheduled_at '{text}' is {kind}: write e.g. {ISO_EXAMPLE}.")
        return None
    if moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        return moment.astimezone(UTC)
    return moment
