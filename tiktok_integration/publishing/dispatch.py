"""The beat ticks' services: hand due work to the publish workers.

Every tick claims with ``SKIP LOCKED`` and compare-and-set (``leases``), so a
second beat, a cron ``publish_due`` and a lost message all change nothing. The
tasks in ``tiktok_integration.tasks`` send the returned claims.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce, Now

from cms.review.selectors import post_release_filter
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.gateway.rate_limits import rate_limit_prune
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.leases import (
    Claim,
    publish_jobs_claim_due,
    publish_jobs_claim_polls,
    publish_jobs_reclaim,
)

logger = logging.getLogger(__name__)
Status = PublishJob.Status
# A due job later than this makes the reconcile tick warn that workers lag.
LATE_WARNING = timedelta(minutes=2)


def publish_dispatch_tick() -> list[Claim]:
    """Claim due jobs (and parked jobs whose wait is over) for workers.

    Batch after batch (``TIKTOK_PUBLISH_BATCH_SIZE`` each, one transaction
    each) while every job of the last batch was claimed and the tick is within
    its own interval (``TIKTOK_PUBLISH_DISPATCH_SECONDS``): a peak of thousands
    of posts due at 12:00:00 goes out in one tick, not 200 per tick
    (bench/bench_scale.py). A batch with jobs left over (their accounts busy)
    ends the tick, as those wait for their accounts anyway.
    """
    limit = settings.TIKTOK_PUBLISH_BATCH_SIZE
    budget_ends = time.monotonic() + settings.TIKTOK_PUBLISH_DISPATCH_SECONDS
    claims = publish_jobs_claim_due(limit=limit)
    batch = len(claims)
    while batch == limit and time.monotonic() < budget_ends:
        more = publish_jobs_claim_due(limit=limit)
        claims += more
        batch = len(more)
    reclaimed, _ = publish_jobs_reclaim()
    return claims + reclaimed


def publish_poll_tick() -> list[Claim]:
    """Claim jobs whose status check is due."""
    return publish_jobs_claim_polls()


def publish_reconcile_tick() -> tuple[list[Claim], dict[str, int]]:
    """Rescue what nothing else will: abandoned leases, lost poll times, stale
    rate-limit rows; warn about late jobs. Returns the claims to send and
    counts for the log (``reclaimed``, ``reviewed``, ``lost_polls``,
    ``pruned``)."""
    reclaimed, reviewed = publish_jobs_reclaim()
    lost_polls = PublishJob.objects.filter(
        status__in=PublishJob.AWAITING_TIKTOK,
        next_action_at__isnull=True,
    ).update(next_action_at=Now(), updated_at=Now())
    pruned = rate_limit_prune()
    now = db_now()
    late = now - LATE_WARNING
    oldest = (
        PublishJob.objects.filter(
            Q(deferred_until__isnull=True, scheduled_at__lte=late)
            | Q(deferred_until__lte=late),
            post_release_filter("post__"),
            status=Status.SCHEDULED,
            account__status=TikTokAccount.Status.ACTIVE,
        )
        .annotate(due=Coalesce("deferred_until", "scheduled_at"))
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )
    if oldest is not None:
        logger.warning(
            "The oldest due publish job is %.0f s late: are the workers running?",
            (now - oldest).total_seconds(),
        )
    return reclaimed, {
        "reclaimed": len(reclaimed),
        "reviewed": reviewed,
        "lost_polls": lost_polls,
        "pruned": pruned,
    }
