"""The one wall-time <-> UTC conversion: DST gaps and repeats refused in words,
valid wall times round-trip in every zone."""

# Wall times are naive on purpose: they are what staff typed, in a named zone.
# ruff: noqa: DTZ001

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.scheduling import (
    AmbiguousLocalTimeError,
    LocalTimeError,
    NonexistentLocalTimeError,
    describe_offset,
    format_local,
    local_to_utc,
    utc_to_local,
)

ZONES = ["Europe/Rome", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def test_kolkata_afternoon_is_not_stored_as_utc() -> None:
    # given a post typed as 14:55 in Asia/Kolkata
    moment = local_to_utc(datetime(2026, 3, 29, 14, 55), "Asia/Kolkata")
    # then it goes out at 09:25 UTC, which is 14:55 in Kolkata
    assert moment == datetime(2026, 3, 29, 9, 25, tzinfo=UTC)
    assert utc_to_local(moment, "Asia/Kolkata").strftime("%H:%M") == "14:55"
    assert describe_offset(moment, "Asia/Kolkata") == "UTC+05:30"


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        (datetime(2026, 3, 28, 10, 0), datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
        (datetime(2026, 3, 30, 10, 0), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        (datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)),
        (datetime(2026, 10, 26, 10, 0), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
    ],
)
def test_ten_in_rome_stays_ten_either_side_of_a_change(
    day: datetime, expected_utc: datetime
) -> None:
    moment = local_to_utc(day, "Europe/Rome")
    assert moment == expected_utc
    assert utc_to_local(moment, "Europe/Rome").hour == 10


@pytest.mark.parametrize(
    ("zone", "wall", "message", "earlier", "later"),
    [
        (
            "Europe/Rome",
            datetime(2026, 3, 29, 2, 30),
            "02:30 on 29 March 2026 does not exist in Europe/Rome: the clocks "
            "jump from 02:00 to 03:00. Choose 01:59 or 03:00.",
            "2026-03-29T01:59:00+01:00",
            "2026-03-29T03:00:00+02:00",
        ),
        (
            "America/New_York",
            datetime(2026, 3, 8, 2, 15),
            "02:15 on 8 March 2026 does not exist in America/New_York: the clocks "
            "jump from 02:00 to 03:00. Choose 01:59 or 03:00.",
            "2026-03-08T01:59:00-05:00",
            "2026-03-08T03:00:00-04:00",
        ),
        (
            "Australia/Lord_Howe",
            datetime(2026, 10, 4, 2, 10),
            "02:10 on 4 October 2026 does not exist in Australia/Lord_Howe: the "
            "clocks jump from 02:00 to 02:30. Choose 01:59 or 02:30.",
            "2026-10-04T01:59:00+10:30",
            "2026-10-04T02:30:00+11:00",
        ),
    ],
)
def test_time_in_a_gap_is_refused_with_the_nearest_valid_times(
    zone: str, wall: datetime, message: str, earlier: str, later: str
) -> None:
    with pytest.raises(NonexistentLocalTimeError) as caught:
        local_to_utc(wall, zone)
    assert str(caught.value) == message
    assert caught.value.earlier.isoformat() == earlier
    assert caught.value.later.isoformat() == later
    # both offered choices are valid as typed
    for choice in (caught.value.earlier, caught.value.later, caught.value.shifted):
        assert local_to_utc(choice.replace(tzinfo=None), zone, fold=choice.fold)


@pytest.mark.parametrize(
    ("zone", "wall", "first", "second", "words"),
    [
        (
            "Europe/Rome",
            datetime(2026, 10, 25, 2, 30),
            "2026-10-25T00:30:00+00:00",
            "2026-10-25T01:30:00+00:00",
            "the clocks go back from 03:00 to 02:00. Choose the first "
            "(UTC+02:00) or the second (UTC+01:00).",
        ),
        (
            "America/New_York",
            datetime(2026, 11, 1, 1, 30),
            "2026-11-01T05:30:00+00:00",
            "2026-11-01T06:30:00+00:00",
            "the clocks go back from 02:00 to 01:00. Choose the first "
            "(UTC\u221204:00) or the second (UTC\u221205:00).",
        ),
        (
            "Australia/Lord_Howe",
            datetime(2026, 4, 5, 1, 45),
            "2026-04-04T14:45:00+00:00",
            "2026-04-04T15:15:00+00:00",
            "the clocks go back from 02:00 to 01:30. Choose the first "
            "(UTC+11:00) or the second (UTC+10:30).",
        ),
    ],
)
def test_repeated_time_needs_a_fold(
    zone: str, wall: datetime, first: str, second: str, words: str
) -> None:
    with pytest.raises(AmbiguousLocalTimeError) as caught:
        local_to_utc(wall, zone)
    assert "happens twice" in str(caught.value)
    assert str(caught.value).endswith(words)
    assert local_to_utc(wall, zone, fold=0).isoformat() == first
    assert local_to_utc(wall, zone, fold=1).isoformat() == second
    assert caught.value.first.astimezone(UTC).isoformat() == first
    assert caught.value.second.astimezone(UTC).isoformat() == second


def test_kolkata_has_no_gap_or_repeat() -> None:
    for hour in range(24):
        local_to_utc(datetime(2026, 3, 29, hour, 30), "Asia/Kolkata")
        local_to_utc(datetime(2026, 10, 25, hour, 30), "Asia/Kolkata")


def test_unknown_zone_and_aware_input_are_refused() -> None:
    with pytest.raises(LocalTimeError, match="not a time zone"):
        local_to_utc(datetime(2026, 1, 1, 10), "Mars/Olympus")
    with pytest.raises(LocalTimeError):
        local_to_utc(datetime(2026, 1, 1, 10, tzinfo=UTC), "Europe/Rome")
    with pytest.raises(LocalTimeError):
        local_to_utc(datetime(2026, 1, 1, 10), "Europe/Rome", fold=2)


def test_offset_uses_a_true_minus_sign() -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert describe_offset(winter, "America/New_York") == "UTC\u221205:00"
    assert describe_offset(winter, "UTC") == "UTC+00:00"
    assert describe_offset(winter, "Australia/Lord_Howe") == "UTC+11:00"


wall_times = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)
).map(lambda moment: moment.replace(microsecond=0))


@settings(max_examples=300, deadline=None)
@given(wall=wall_times, zone=st.sampled_from(ZONES), fold=st.sampled_from([0, 1]))
def test_every_wall_time_either_round_trips_or_is_refused(
    wall: datetime, zone: str, fold: int
) -> None:
    gap: NonexistentLocalTimeError | None = None
    try:
        moment = local_to_utc(wall, zone, fold=fold)
    except NonexistentLocalTimeError as error:
        gap = error
    if gap is not None:
        # a gap: both neighbours exist and bracket the typed time
        assert gap.earlier.replace(tzinfo=None) < wall < gap.later.replace(tzinfo=None)
        assert gap.later.astimezone(UTC) - gap.earlier.astimezone(UTC) == (
            timedelta(minutes=1)
        )
        return
    # a valid time shows on the clocks exactly as typed
    assert moment.tzinfo is UTC
    assert utc_to_local(moment, zone).replace(tzinfo=None) == wall


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)
    ).map(lambda naive: naive.replace(microsecond=0, tzinfo=UTC)),
    zone=st.sampled_from(ZONES),
)
def test_every_instant_comes_back_from_its_wall_time_and_fold(
    moment: datetime, zone: str
) -> None:
    local = utc_to_local(moment, zone)
    assert local.tzinfo == zoneinfo.ZoneInfo(zone)
    back = local_to_utc(local.replace(tzinfo=None), zone, fold=local.fold)
    assert back == moment


def test_local_time_is_shown_with_minutes_and_zone() -> None:
    moment = local_to_utc(datetime(2026, 3, 29, 10, 0), "Europe/Rome")
    assert (
        format_local(moment, "Europe/Rome") == "29 Mar 2026, 10:00 CEST (Europe/Rome)"
    )
    before = local_to_utc(datetime(2026, 3, 28, 10, 0), "Europe/Rome")
    assert format_local(before, "Europe/Rome") == "28 Mar 2026, 10:00 CET (Europe/Rome)"
    kolkata = local_to_utc(datetime(2026, 3, 29, 14, 55), "Asia/Kolkata")
    assert (
        format_local(kolkata, "Asia/Kolkata") == "29 Mar 2026, 14:55 IST (Asia/Kolkata)"
    )
