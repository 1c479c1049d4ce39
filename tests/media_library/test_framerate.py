"""Deciding a frame rate from a header and timestamps, without files or a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from media_library.framerate import (
    FrameRateReading,
    TimestampStats,
    TimestampSummary,
    frame_rate_from_details,
    read_frame_rate,
)
from media_library.validation import MediaFacts, check_video_frame_rate

MS = Fraction(1, 1000)
VIDEO = MediaFacts(kind="video", mime_type="video/mp4", size_bytes=1)


def summarise(
    times: Sequence[Fraction], tick: Fraction, *, grid: Fraction | None = None
) -> TimestampSummary:
    """Stamp ``times`` (seconds) as a muxer would and feed them in decoding order.

    ``grid`` is the step the writer rounded to (1 ms for most editors) when it
    is coarser than the stream's ``tick``, as MP4 muxers store 1/1000 as 1/16000.
    """
    step = grid or tick
    pts = [round(round(time / step) * step / tick) for time in times]
    # B-frames: a decoder receives each pair of frames after the one they
    # precede, so pts arrive out of order.
    decode_order = list(pts)
    for index in range(1, len(decode_order) - 1, 3):
        decode_order[index], decode_order[index + 1] = (
            decode_order[index + 1],
            decode_order[index],
        )
    stats = TimestampStats()
    for value in decode_order:
        stats.add(value)
    summary = stats.finish(tick)
    assert summary is not None
    return summary


def constant(rate: Fraction, seconds: float) -> list[Fraction]:
    return [index / rate for index in range(max(2, round(seconds * rate)))]


def spans(*parts: tuple[Fraction, float]) -> list[Fraction]:
    """Frames at ``rate`` for ``seconds``, one part after another."""
    times: list[Fraction] = []
    start = Fraction(0)
    for rate, seconds in parts:
        count = round(seconds * rate)
        times += [start + index / rate for index in range(count)]
        start += count / rate
    return times


def judged(reading: FrameRateReading) -> str | None:
    return check_video_frame_rate(
        replace(
            VIDEO,
            frame_rate=reading.rate,
            variable_frame_rate=reading.variable,
            min_frame_rate=reading.min_fps,
            max_frame_rate=reading.max_fps,
            frame_rate_rounding=reading.rounding,
        )
    )


def test_the_issue_example_a_60_fps_file_in_milliseconds_is_60() -> None:
    # given: three seconds at 60 fps written in ms, stored by MP4 in 1/16000;
    # FFmpeg's average comes out as 576000/9599, that is 60.006 fps
    times = constant(Fraction(60), 3.0)
    summary = summarise(times, Fraction(1, 16000), grid=MS)
    nominal = [Fraction(60), Fraction(60), Fraction(576000, 9599)]
    # when
    reading = read_frame_rate(nominal, summary)
    # then
    assert reading.rate == 60
    assert not reading.variable
    assert judged(reading) is None


def test_an_average_alone_that_reads_60_006_is_still_60() -> None:
    summary = summarise(constant(Fraction(60), 3.0), Fraction(1, 16000), grid=MS)
    assert read_frame_rate([Fraction(576000, 9599)], summary).rate == 60


@pytest.mark.parametrize("tick", [Fraction(50, 3003) / 4, MS])
def test_a_truly_constant_60_06_fps_is_refused(tick: Fraction) -> None:
    # given: exact timestamps, or rounded to the millisecond over ten seconds
    times = constant(Fraction(6006, 100), 10.0)
    nominal = [Fraction(60), Fraction(6006, 100)]
    # when
    reading = read_frame_rate(nominal, summarise(times, tick))
    # then
    assert abs(float(reading.rate or 0) - 60.06) < 0.01
    assert (judged(reading) or "").startswith("This video runs at 60.0")
    assert "but TikTok accepts 23 to 60." in (judged(reading) or "")


@pytest.mark.parametrize(
    "rate",
    [
        Fraction(24000, 1001),
        Fraction(24),
        Fraction(25),
        Fraction(30000, 1001),
        Fraction(30),
        Fraction(50),
        Fraction(60000, 1001),
        Fraction(60),
    ],
)
@pytest.mark.parametrize("header", [True, False])
def test_standard_rates_in_milliseconds_read_exactly(
    rate: Fraction, header: bool
) -> None:
    # given: ten seconds rounded to the millisecond, with or without a header rate
    summary = summarise(constant(rate, 10.0), MS)
    # when
    reading = read_frame_rate([rate] if header else [], summary)
    # then: not 29.97x for 30 nor 30.03 for 29.97
    assert reading.rate == rate
    assert not reading.variable
    assert judged(reading) is None


def test_a_header_that_says_30_is_overruled_by_15_fps_timestamps() -> None:
    reading = read_frame_rate([Fraction(30)], summarise(constant(Fraction(15), 4), MS))
    assert reading.rate == 15
    assert not reading.variable
    assert judged(reading) is not None


def test_spans_at_10_and_60_fps_are_a_variable_rate_outside_the_range() -> None:
    # given: a header that claims 30
    times = spans((Fraction(10), 1.0), (Fraction(60), 1.0))
    # when
    reading = read_frame_rate([Fraction(30)], summarise(times, MS))
    # then
    assert reading.variable
    assert reading.min_fps == pytest.approx(10, rel=0.01)
    assert reading.max_fps == pytest.approx(60, rel=0.01)
    assert judged(reading) == (
        "Variable frame rate between 10 and 60.2 frames per second: parts of this "
        "video run outside the 23 to 60 that TikTok accepts. Use "
        '"Make TikTok-ready" to convert it to a constant 30 frames per second.'
    )


def test_a_variable_rate_between_24_and_60_is_accepted() -> None:
    times = spans((Fraction(30), 1.0), (Fraction(60), 1.0), (Fraction(24), 1.0))
    reading = read_frame_rate([Fraction(30)], summarise(times, MS))
    assert reading.variable
    assert judged(reading) is None


def test_a_slow_stretch_of_22_fps_makes_a_variable_rate_refused() -> None:
    times = spans((Fraction(30), 2.0), (Fraction(22), 2.0))
    reading = read_frame_rate([], summarise(times, Fraction(1, 90_000)))
    assert reading.variable
    assert "between 22 and 30 frames per second" in (judged(reading) or "")


def test_one_dropped_frame_is_not_a_variable_rate() -> None:
    times = constant(Fraction(30), 3.0)
    del times[45]
    reading = read_frame_rate([Fraction(30)], summarise(times, Fraction(1, 90_000)))
    assert reading.min_fps == pytest.approx(30 * 10 / 11)
    assert judged(reading) is None


def test_without_timestamps_the_header_rate_is_taken() -> None:
    stats = TimestampStats()
    stats.add(0)
    assert stats.finish(MS) is None
    assert read_frame_rate([Fraction(25)], None) == FrameRateReading(Fraction(25))
    assert read_frame_rate([], None).rate is None


def test_stats_ignore_repeated_timestamps() -> None:
    stats = TimestampStats()
    for pts in (0, 40, 40, 80, 120):
        stats.add(pts)
    summary = stats.finish(MS)
    assert summary is not None
    assert (summary.frames, summary.last) == (4, 120)


def test_details_round_trip_and_old_details_keep_their_header_rate() -> None:
    summary = summarise(constant(Fraction(60), 3.0), Fraction(1, 16000), grid=MS)
    details = {"nominal_frame_rates": ["60/1"], "timestamps": summary.as_json()}
    assert frame_rate_from_details(details).rate == 60
    assert frame_rate_from_details({"frame_rate": "25/1"}).rate == 25


@pytest.mark.parametrize(
    "timestamps",
    [
        None,
        "60",
        {"time_base": "1/1000", "frames": 2},
        {**dict.fromkeys(("frames", "first", "last", "quantum"), True)},
        {
            "time_base": "1/0",
            "frames": 10,
            "first": 0,
            "last": 9,
            "quantum": 1,
            "span_intervals": 9,
            "shortest_span": 9,
            "longest_span": 9,
        },
        {
            "time_base": "1/1000",
            "frames": 10,
            "first": 9,
            "last": 0,
            "quantum": 1,
            "span_intervals": 9,
            "shortest_span": 9,
            "longest_span": 9,
        },
    ],
)
def test_absurd_timestamp_details_fall_back_to_the_header(timestamps: object) -> None:
    details = {"nominal_frame_rates": ["24/1", 7], "timestamps": timestamps}
    assert frame_rate_from_details(details) == FrameRateReading(Fraction(24))


TICKS = st.sampled_from(
    [Fraction(1, 1000), Fraction(1, 600), Fraction(1, 90_000), Fraction(1, 15360)]
)


@settings(max_examples=150, deadline=None)
@given(
    rate=st.fractions(min_value=23, max_value=60, max_denominator=1001),
    frames=st.integers(min_value=2, max_value=700),
    tick=TICKS,
    header=st.booleans(),
)
def test_any_constant_rate_from_23_to_60_is_accepted_and_constant(
    rate: Fraction, frames: int, tick: Fraction, header: bool
) -> None:
    # given
    times = [index / rate for index in range(frames)]
    # when
    reading = read_frame_rate([rate] if header else [], summarise(times, tick))
    # then
    assert not reading.variable
    assert judged(reading) is None


@settings(max_examples=150, deadline=None)
@given(
    rate=st.one_of(
        st.fractions(min_value=5, max_value=Fraction(229, 10), max_denominator=1001),
        st.fractions(min_value=Fraction(601, 10), max_value=240, max_denominator=1001),
    ),
    seconds=st.floats(min_value=1, max_value=20),
    tick=st.sampled_from([Fraction(1, 1000), Fraction(1, 90_000)]),
)
def test_any_constant_rate_clearly_outside_23_to_60_is_refused(
    rate: Fraction, seconds: float, tick: Fraction
) -> None:
    reading = read_frame_rate([rate], summarise(constant(rate, seconds), tick))
    assert not reading.variable
    assert judged(reading) is not None


@settings(max_examples=100, deadline=None)
@given(
    slow=st.integers(min_value=5, max_value=40),
    speedup=st.fractions(min_value=Fraction(13, 10), max_value=4),
    tick=TICKS,
)
def test_any_two_clearly_different_rates_are_variable_and_judged_by_both(
    slow: int, speedup: Fraction, tick: Fraction
) -> None:
    # given: 15 frames at each rate; rounding may move a rate by up to 1/9
    # (when the quantum is as long as a frame), so the test keeps clear of that
    fast = slow * speedup
    assume(not 20.5 <= slow < 23 and not 60 < fast <= 67)
    times = spans((Fraction(slow), 15 / slow), (fast, float(15 / fast)))
    # when
    reading = read_frame_rate([], summarise(times, tick))
    # then
    assert reading.variable
    inside = slow >= 23 and fast <= 60
    assert (judged(reading) is None) == inside
