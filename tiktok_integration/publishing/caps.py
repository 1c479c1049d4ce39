"""TikTok's posting caps, anticipated from the job history (§6).

A post that a cap would refuse is not sent: the job is rescheduled to when the
cap frees up, counted from the jobs that reached TikTok in the last 24 hours
(in the state groups ``PublishJob.AT_TIKTOK`` and ``AWAITING_TIKTOK``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from tiktok_integration.client.facts import CAP_WINDOW_SECONDS
from tiktok_integration.composer import DIRECT
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.run_state import CapReachedError

DAY = timedelta(seconds=CAP_WINDOW_SECONDS)
#: TikTok's error code for the creator's 24-hour post cap (§5.1, §6).
TOO_MANY_POSTS = "spam_risk_too_many_posts"
# Pending drafts free up when the creator acts; app caps roll over the day:
# look again in an hour.
RECHECK_AFTER = timedelta(hours=1)


def _reached_tiktok(now: datetime) -> QuerySet[PublishJob]:
    return PublishJob.objects.filter(
        processing_at__gte=now - DAY, status__in=PublishJob.AT_TIKTOK
    )


def cap_frees_at(job: PublishJob, code: str) -> datetime:
    """When the cap TikTok named by ``code`` (a §5.1 error code) lets ``job``'s
    account post again: a day after its oldest direct post of the last 24
    hours for ``TOO_MANY_POSTS``, in an hour for any other cap."""
    now = db_now()
    if code == TOO_MANY_POSTS:
        oldest = (
            _reached_tiktok(now)
            .filter(account_id=job.account_id, mode=DIRECT)
            .order_by("processing_at")
            .values_list("processing_at", flat=True)
            .first()
        )
        return (oldest + DAY) if oldest else now + DAY
    return now + RECHECK_AFTER


def anticipate_caps(job: PublishJob, now: datetime) -> None:
    """Raise ``CapReachedError`` if a cap would refuse ``job`` at ``now``: the
    creator's daily direct posts (``TIKTOK_DAILY_POST_CAP``), their pending
    drafts (``TIKTOK_PENDING_SHARE_CAP``), the app's active creators
    (``TIKTOK_ACTIVE_USER_CAP``, 0 for none)."""
    recent = _reached_tiktok(now)
    if job.mode == DIRECT:
        posts = recent.filter(account_id=job.account_id, mode=DIRECT)
        if posts.count() >= settings.TIKTOK_DAILY_POST_CAP:
            raise CapReachedError(
                cap_frees_at(job, TOO_MANY_POSTS),
                f"This account already posted {settings.TIKTOK_DAILY_POST_CAP} "
                "times through the API in 24 hours, TikTok's daily limit.",
            )
    else:
        pending = recent.filter(
            account_id=job.account_id,
            mode=PublishJob.Mode.DRAFT,
            status__in=PublishJob.AWAITING_TIKTOK,
        )
        if pending.count() >= settings.TIKTOK_PENDING_SHARE_CAP:
            raise CapReachedError(
                now + RECHECK_AFTER,
                f"The creator has {settings.TIKTOK_PENDING_SHARE_CAP} drafts "
                "waiting in their TikTok inbox, TikTok's limit; ask them to post "
                "or discard some.",
            )
    cap = settings.TIKTOK_ACTIVE_USER_CAP
    if cap:
        active = set(recent.values_list("account_id", flat=True).distinct())
        if job.account_id not in active and len(active) >= cap:
            raise CapReachedError(
                now + RECHECK_AFTER,
                f"{cap} creators already posted through this app in 24 hours, the "
                "app's limit at TikTok.",
            )
