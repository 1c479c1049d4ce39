"""Keep the snapshot table fast as it grows: old samples thinned to one a day.

Charts of recent weeks need every sample; a curve older than ``KEEP_ALL_DAYS``
reads as well with one point a day (the last of each day is kept, so the
series still ends at each day's total). Run daily by beat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from tiktok_integration.models import VideoSnapshot

#: Snapshots younger than this many days are all kept.
KEEP_ALL_DAYS = 90
#: Rows deleted per statement, so one run never holds a long lock.
DELETE_BATCH = 5000


def analytics_snapshots_thin(*, now: datetime | None = None) -> int:
    """Delete all but the last snapshot of each video and UTC day among
    snapshots older than ``KEEP_ALL_DAYS``. Idempotent; returns rows deleted."""
    now = now or timezone.now()
    old = VideoSnapshot.objects.filter(taken_at__lt=now - timedelta(days=KEEP_ALL_DAYS))
    keep = (
        old.annotate(day=TruncDate("taken_at"))
        .values("video_id", "day")
        .annotate(last_id=Max("id"))
        .values("last_id")
    )
    deleted = 0
    while True:
        batch = list(
            old.exclude(id__in=keep).values_list("id", flat=True)[:DELETE_BATCH]
        )
        if not batch:
            return deleted
        count, _ = VideoSnapshot.objects.filter(id__in=batch).delete()
        deleted += count
