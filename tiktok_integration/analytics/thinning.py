"""Keep the snapshot table fast as it grows: old samples thinned to one a day.

Charts of recent weeks need every sample; a curve older than ``KEEP_ALL_DAYS``
reads as well with one point a day (the last of each day is kept, so the
series still ends at each day's total). Run daily by beat.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from tiktok_integration.models import VideoSnapshot

#: Snapshots younger than this many days are all kept.
KEEP_ALL_DAYS = 90
#: Rows deleted per statement, so one run never holds a long lock.
DELETE_BATCH = 5000


def analytics_snapshots_thin(*, now: datetime | None = None) -> int:
    """Delete all but the latest snapshot of each video and UTC day among
    snapshots older than ``KEEP_ALL_DAYS``. Idempotent; returns rows deleted.

    Streams the old rows once, ordered by the (video, taken_at) index, and
    deletes in batches of ``DELETE_BATCH``.
    """
    now = now or timezone.now()
    old = VideoSnapshot.objects.filter(
        taken_at__lt=now - timedelta(days=KEEP_ALL_DAYS)
    ).order_by("video_id", "-taken_at")
    kept: tuple[int, date] | None = None
    doomed: list[int] = []
    deleted = 0
    for pk, video_id, taken_at in old.values_list(
        "pk", "video_id", "taken_at"
    ).iterator(chunk_size=DELETE_BATCH):
        key = (video_id, taken_at.astimezone(UTC).date())
        if key == kept:
            doomed.append(pk)
        else:
            kept = key
        if len(doomed) >= DELETE_BATCH:
            deleted += _delete(doomed)
    return deleted + _delete(doomed)


def _delete(ids: list[int]) -> int:
    count, _ = VideoSnapshot.objects.filter(pk__in=ids).delete()
    ids.clear()
    return count
