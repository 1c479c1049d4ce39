"""Frame rates as players read them: the header's rate checked against timestamps.

A header states a nominal rate, but what plays is set by each frame's
presentation timestamp (pts x time base), and the two can disagree: a file whose
header says 30 fps may hold spans at 10 and at 60. Timestamps are also whole
ticks, so a 1/1000 time base cannot say 1/60 s: a 60 fps file's intervals
alternate 16 and 17 ms and its average comes out as 60.006, which is still 60.

The probe worker streams each packet's pts into ``TimestampStats`` (constant
memory, whatever the length) and reports a ``TimestampSummary``; the parent
decides with ``read_frame_rate``. Stated tolerances:

- Rounding: each timestamp may be off by up to one *quantum*, the time base's
  step as the intervals show it (their greatest common divisor; one tick when
  every interval is the same, as then nothing was rounded). A rate is the
  nominal (or a standard) one when the measured mean is within that error of it.
- Variable frame rate: the rate over every span of ``SPAN_INTERVALS`` intervals
  is measured; the file is variable when its slowest and fastest spans differ by
  more than ``VARIATION_TOLERANCE`` beyond what rounding explains.

Pure Python, no Django and no FFmpeg, so the worker can import it.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# Instantaneous rates are measured over this many consecutive intervals, so one
# dropped frame or one rounded timestamp does not count as a change of rate.
SPAN_INTERVALS = 10
# H.264 and H.265 reorder at most 16 frames for B-frames; packets arrive in
# decoding order and are sorted by pts through a buffer of this many.
REORDER_DEPTH = 32
# Spans that differ by more than 2% beyond rounding make a variable frame rate.
VARIATION_TOLERANCE = 0.02
# Rates a mean within rounding of is taken to be: film, PAL, NTSC and their
# doubles, the usual slow and fast ones, and 23, TikTok's lower limit (§7), so
# that rounding alone never carries a rate across a limit.
STANDARD_RATES = tuple(
    Fraction(rate)
    for rate in (
        "23",
        "24000/1001",
        "24",
        "25",
        "30000/1001",
        "30",
        "48",
        "50",
        "60000/1001",
        "60",
        "10",
        "12",
        "15",
        "20",
        "90",
        "100",
        "120000/1001",
        "120",
        "240",
    )
)


def parse_frame_rate(value: object) -> Fraction | None:
    """``"30000/1001"`` -> Fraction; never ``eval``, and None for nonsense."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        rate = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def format_frame_rate(rate: Fraction | None) -> str | None:
    """Fraction -> ``"30000/1001"`` (the form ``parse_frame_rate`` reads)."""
    return f"{rate.numerator}/{rate.denominator}" if rate else None


@dataclass(frozen=True, slots=True)
class TimestampSummary:
    """What a stream's timestamps say, in ticks of ``time_base`` seconds.

    ``frames`` distinct timestamps from ``first`` to ``last``; ``quantum`` ticks
    is the rounding step; ``shortest_span`` and ``longest_span`` are the extreme
    durations of ``span_intervals`` consecutive intervals (the whole file when
    it has fewer).
    """

    time_base: Fraction
    frames: int
    first: int
    last: int
    quantum: int
    span_intervals: int
    shortest_span: int
    longest_span: int

    def as_json(self) -> dict[str, Any]:
        return {
            "time_base": format_frame_rate(self.time_base),
            "frames": self.frames,
            "first": self.first,
            "last": self.last,
            "quantum": self.quantum,
            "span_intervals": self.span_intervals,
            "shortest_span": self.shortest_span,
            "longest_span": self.longest_span,
        }

    @classmethod
    def from_json(cls, value: object) -> TimestampSummary | None:
        """The probe's JSON back, or None when any field is missing or absurd."""
        if not isinstance(value, Mapping):
            return None
        time_base = parse_frame_rate(value.get("time_base"))
        names = (
            "frames",
            "first",
            "last",
            "quantum",
            "span_intervals",
            "shortest_span",
            "longest_span",
        )
        numbers: list[int] = []
        for name in names:
            number = value.get(name)
            if not isinstance(number, int) or isinstance(number, bool):
                return None
            numbers.append(number)
        if time_base is None:
            return None
        frames, first, last, quantum, span_intervals, shortest, longest = numbers
        summary = cls(
            time_base, frames, first, last, quantum, span_intervals, shortest, longest
        )
        if not (
            summary.frames >= 2
            and summary.last > summary.first
            and summary.quantum >= 1
            and 1 <= summary.span_intervals < summary.frames
            and 0 < summary.shortest_span <= summary.longest_span
        ):
            return None
        return summary


class TimestampStats:
    """Streaming statistics of one stream's pts, fed in decoding order.

    Memory is constant (``REORDER_DEPTH`` + ``SPAN_INTERVALS`` integers), so a
    ten-minute 60 fps file (36,000 frames) costs what a one-second one does. A
    pts that repeats one already taken, or arrives later than the reorder
    buffer can sort, is ignored.
    """

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._window: deque[int] = deque(maxlen=SPAN_INTERVALS + 1)
        self._frames = 0
        self._first = 0
        self._previous: int | None = None
        self._first_interval = 0
        self._interval_gcd = 0
        self._intervals_vary = False
        self._shortest: int | None = None
        self._longest = 0

    def add(self, pts: int) -> None:
        heapq.heappush(self._pending, pts)
        if len(self._pending) > REORDER_DEPTH:
            self._take(heapq.heappop(self._pending))

    def finish(self, time_base: Fraction) -> TimestampSummary | None:
        """The summary (None for fewer than two timestamps); call once, at the end."""
        while self._pending:
            self._take(heapq.heappop(self._pending))
        if self._previous is None or self._frames < 2:
            return None
        span_intervals = SPAN_INTERVALS
        shortest, longest = self._shortest, self._longest
        if shortest is None:
            span_intervals = self._frames - 1
            shortest = longest = self._previous - self._first
        return TimestampSummary(
            time_base=time_base,
            frames=self._frames,
            first=self._first,
            last=self._previous,
            quantum=self._interval_gcd if self._intervals_vary else 1,
            span_intervals=span_intervals,
            shortest_span=shortest,
            longest_span=longest,
        )

    def _take(self, pts: int) -> None:
        previous = self._previous
        if previous is None:
            self._first = pts
        elif pts <= previous:
            return
        else:
            interval = pts - previous
            if self._frames == 1:
                self._first_interval = interval
            elif interval != self._first_interval:
                self._intervals_vary = True
            self._interval_gcd = math.gcd(self._interval_gcd, interval)
        self._previous = pts
        self._frames += 1
        window = self._window
        window.append(pts)
        if len(window) == window.maxlen:
            span = window[-1] - window[0]
            self._shortest = (
                span if self._shortest is None else min(self._shortest, span)
            )
            self._longest = max(self._longest, span)


@dataclass(frozen=True, slots=True)
class FrameRateReading:
    """A stream's frame rate as decided from its header and timestamps.

    ``rate`` is frames per second (the nominal or a standard rate when the
    timestamps agree with it within rounding, else their mean), None when
    unknown. ``min_fps`` and ``max_fps`` are the slowest and fastest rates over
    any ``SPAN_INTERVALS`` consecutive intervals, as measured; ``rounding`` is
    the relative error rounding may have put into either (0.006 = 0.6%, at
    most 1.0).
    ``variable`` is True when the spans differ beyond rounding and
    ``VARIATION_TOLERANCE``.
    """

    rate: Fraction | None
    variable: bool = False
    min_fps: float | None = None
    max_fps: float | None = None
    rounding: float = 0.0

    def as_details(self) -> dict[str, Any]:
        """The keys ``probe_details`` keeps for this reading (see ``inspection``)."""
        return {
            "frame_rate": format_frame_rate(self.rate),
            "variable_frame_rate": self.variable,
            "min_fps": _rounded(self.min_fps),
            "max_fps": _rounded(self.max_fps),
            "fps_rounding": round(self.rounding, 6),
        }


def read_frame_rate(
    nominal_rates: Sequence[Fraction], timestamps: TimestampSummary | None
) -> FrameRateReading:
    """Decide a stream's rate from its header's ``nominal_rates`` and timestamps.

    ``nominal_rates`` are in order of trust (FFmpeg's r_frame_rate, its guess,
    the average); without timestamps the first is the answer. Otherwise the
    rate is the candidate (nominal, then ``STANDARD_RATES``) with the smallest
    denominator that the mean of the intervals allows within one quantum of
    rounding, or that mean itself when none does.
    """
    if timestamps is None:
        return FrameRateReading(rate=nominal_rates[0] if nominal_rates else None)
    tick = timestamps.time_base
    quantum = timestamps.quantum
    intervals = timestamps.frames - 1
    total = timestamps.last - timestamps.first
    mean = Fraction(intervals) / (total * tick)
    slowest = Fraction(intervals) / ((total + quantum) * tick)
    fastest = (
        Fraction(intervals) / ((total - quantum) * tick) if total > quantum else None
    )

    def allowed(rate: Fraction) -> bool:
        return slowest <= rate and (fastest is None or rate <= fastest)

    candidates = [rate for rate in (*nominal_rates, *STANDARD_RATES) if allowed(rate)]
    if candidates:
        rate = min(candidates, key=lambda candidate: candidate.denominator)
    else:
        simple = mean.limit_denominator(1001)
        rate = simple if allowed(simple) else mean
    span = timestamps.span_intervals
    min_fps = span / float(timestamps.longest_span * tick)
    max_fps = span / float(timestamps.shortest_span * tick)
    # A span of s ticks is really between s - q and s + q, so its rate is off by
    # at most q / (s - q) of itself; the shortest span has the largest error.
    if timestamps.shortest_span > quantum:
        rounding = quantum / (timestamps.shortest_span - quantum)
    else:
        rounding = math.inf
    variable = max_fps / (1 + rounding) > min_fps * (1 + rounding) * (
        1 + VARIATION_TOLERANCE
    )
    return FrameRateReading(
        rate=rate,
        variable=variable,
        min_fps=min_fps,
        max_fps=max_fps,
        # Only a two-frame file one tick apart knows nothing; say 100%.
        rounding=min(rounding, 1.0),
    )


def frame_rate_from_details(details: Mapping[str, Any]) -> FrameRateReading:
    """Decide again from a probe's JSON (``probe_details``), trusting no field.

    Details from before timestamps were measured carry only ``frame_rate`` (the
    header's rate), which is then taken as it is.
    """
    if "nominal_frame_rates" not in details:
        return FrameRateReading(rate=parse_frame_rate(details.get("frame_rate")))
    listed = details.get("nominal_frame_rates")
    nominal = [
        rate
        for value in (listed if isinstance(listed, list) else [])[:8]
        if (rate := parse_frame_rate(value)) is not None
    ]
    return read_frame_rate(
        nominal, TimestampSummary.from_json(details.get("timestamps"))
    )


def _rounded(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None
