"""The publish jobs that hold a place in an account's plan, read once.

The calendar's capacity warnings (``calendar.capacity``) and the queues' free
slots (``queues``) both count an account's planned copies; the calendar's
feed reads them once for its range (``planned_jobs_between``) and hands the
same rows to both, which also read them themselves for their other callers
(the composer's checks, "Add to queue").

A planned job is one that is neither cancelled nor failed: a failed copy did
not reach TikTok and a cancelled one never will (docs/tiktok.md §6 counts
what was posted).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from django.db.models import Q

from tiktok_integration.models import PublishJob

#: Jobs that hold no slot and do not count toward TikTok's caps.
NOT_PLANNED = (PublishJob.Status.CANCELLED, PublishJob.Status.FAILED)


class PlannedJob(NamedTuple):
    """One planned copy (a tuple: thousands are built per calendar request).

    ``scheduled_at``: its planned time (aware UTC), which takes a queue slot
    and counts toward the planned day's capacity. ``counted_at`` (aware UTC):
    when it counts toward TikTok's rolling 24 hours: the time it was sent
    (``processing_at``), else its next try after a cap deferral
    (``deferred_until``), else ``scheduled_at``. ``mode``: a
    ``PublishJob.mode`` value (direct post or inbox draft).
    """

    account_id: int
    post_id: int
    mode: str
    scheduled_at: datetime
    counted_at: datetime


def planned_jobs_between(
    *,
    account_ids: Collection[int] | None,
    workspace_ids: Collection[int] | None,
    start: datetime,
    end: datetime,
    exclude_post_id: int | None = None,
) -> list[PlannedJob]:
    """The planned jobs whose ``scheduled_at`` or ``counted_at`` falls in
    [``start``, ``end``) (aware), limited to the accounts ``account_ids`` and
    to the posts of ``workspace_ids`` (None: no limit), without the post
    ``exclude_post_id``'s (the one being placed). Callers cut their own
    window from these in Python.

    One query, however many jobs. Only ``scheduled_at`` is converted per
    row: the other two instants are usually empty, which costs nothing to
    read (on SQLite each datetime is parsed in Python).
    """
    window = Q(scheduled_at__gte=start, scheduled_at__lt=end)
    jobs = PublishJob.objects.exclude(status__in=NOT_PLANNED).filter(
        window
        | Q(processing_at__gte=start, processing_at__lt=end)
        | Q(deferred_until__gte=start, deferred_until__lt=end)
    )
    if account_ids is not None:
        jobs = jobs.filter(account_id__in=list(account_ids))
    if workspace_ids is not None:
        jobs = jobs.filter(post__workspace_id__in=list(workspace_ids))
    if exclude_post_id is not None:
        jobs = jobs.exclude(post_id=exclude_post_id)
    return [
        PlannedJob(
            account_id, post_id, mode, planned, processing_at or deferred or planned
        )
        for account_id, post_id, mode, planned, processing_at, deferred in (
            jobs.values_list(
                "account_id",
                "post_id",
                "mode",
                "scheduled_at",
                "processing_at",
                "deferred_until",
            )
        )
    ]
