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

from django.db.models import Q
from django.db.models.functions import Coalesce

from tiktok_integration.db_instants import instant
from tiktok_integration.models import PublishJob

#: Jobs that hold no slot and do not count toward TikTok's caps.
NOT_PLANNED = (PublishJob.Status.CANCELLED, PublishJob.Status.FAILED)


#: One planned copy: (account id, post id, mode, scheduled_at, counted_at).
#: ``scheduled_at``: its planned time (aware UTC), which takes a queue slot
#: and counts toward the planned day's capacity. ``counted_at`` (aware UTC):
#: when it counts toward TikTok's rolling 24 hours: the time it was sent
#: (``processing_at``), else its next try after a cap deferral
#: (``deferred_until``), else ``scheduled_at``. ``mode``: a
#: ``PublishJob.mode`` value (direct post or inbox draft). A plain tuple:
#: thousands are held per calendar request, and the garbage collector stops
#: tracking plain tuples of numbers, text and datetimes (a named tuple stays
#: tracked and makes full collections come sooner).
PlannedJob = tuple[int, int, str, datetime, datetime]


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

    One query, however many jobs; instants are read with
    ``db_instants.instant`` (two per row, the second usually empty).
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
    rows = jobs.annotate(
        planned_at=instant("scheduled_at"),
        # Usually empty: the job was neither sent nor deferred.
        moved_at=instant(Coalesce("processing_at", "deferred_until")),
    ).values_list("account_id", "post_id", "mode", "planned_at", "moved_at")
    return [
        (account_id, post_id, mode, planned, moved or planned)
        for account_id, post_id, mode, planned, moved in rows
    ]
