"""When a video's next snapshot is due: often while it is new, rarely after.

A video's counts move fast in its first day and slowly after a month, so the
snapshots follow its age: one when first seen, then at each checkpoint below
(measured from TikTok's create_time), then once every ``LATE_INTERVAL``. A sync
that missed checkpoints takes one snapshot for all of them. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: Ages at which a snapshot is wanted.
CHECKPOINTS: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=30),
)
#: After the last checkpoint, one snapshot this often.
LATE_INTERVAL = timedelta(days=30)


def next_sample_at(
    *, created_at: datetime, last_sampled_at: datetime | None
) -> datetime:
    """When the next snapshot of a video created at ``created_at`` is due, given
    the last one (None: never sampled, due at once)."""
    if last_sampled_at is None:
        return created_at
    age = last_sampled_at - created_at
    for checkpoint in CHECKPOINTS:
        if age < checkpoint:
            return created_at + checkpoint
    return last_sampled_at + LATE_INTERVAL


def is_sample_due(
    *, created_at: datetime, last_sampled_at: datetime | None, now: datetime
) -> bool:
    """Whether a snapshot should be stored at ``now``."""
    return now >= next_sample_at(created_at=created_at, last_sampled_at=last_sampled_at)
