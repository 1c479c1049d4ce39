"""TikTok's posting caps, anticipated from the job history (docs/tiktok.md §6).

A post that a cap would refuse is not sent: the job keeps its planned time and
is deferred (``PublishJob.deferred_until``/``deferred_reason``, written by
``transitions.publish_job_defer``) to when the cap frees up, counted from the
jobs that reached TikTok in the last 24 hours (the state groups
``PublishJob.AT_TIKTOK`` and ``AWAITING_TIKTOK``). TikTok counts every cap over
a rolling 24 hours, not a calendar day (§6, ``facts.CAP_WINDOW_SECONDS``), so
the next try is computed from the posts in that window, never "tomorrow".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from cms.scheduling import format_local
from tiktok_integration.client.facts import CAP_WINDOW_SECONDS
from tiktok_integration.composer import DIRECT
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob

DAY = timedelta(seconds=CAP_WINDOW_SECONDS)
Reason = PublishJob.DeferralReason
#: TikTok's error codes for its caps (§5.1, §6), and the reason each defers by.
REASON_BY_CODE = {
    "spam_risk_too_many_posts": Reason.DAILY_CAP,
    "spam_risk_too_many_pending_share": Reason.INBOX_CAP,
    "reached_active_user_cap": Reason.APP_CAP,
}
# Pending drafts free up when the creator acts on them, which Postdeck only
# sees by asking; the app's creators roll out of its window one by one: look
# again in an hour.
RECHECK_AFTER = timedelta(hours=1)


class CapReachedError(Exception):
    """A posting cap (``reason``, a ``PublishJob.DeferralReason``) refuses this
    post now; it frees up at ``until`` (aware UTC). ``message`` is for staff and
    names the cap; the run adds when Postdeck tries next."""

    def __init__(self, reason: str, until: datetime, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.until = until
        self.message = message


@dataclass(frozen=True, slots=True)
class Deferral:
    """What ``cap_deferral_for`` decided: ``hold`` (wait for staff, no next
    try) or retry at ``until`` (aware UTC); ``message`` is the whole sentence
    staff see."""

    reason: str
    until: datetime
    hold: bool
    message: str


def _reached_tiktok(now: datetime) -> QuerySet[PublishJob]:
    return PublishJob.objects.filter(
        processing_at__gte=now - DAY, status__in=PublishJob.AT_TIKTOK
    )


def _oldest(jobs: QuerySet[PublishJob]) -> datetime | None:
    return (
        jobs.order_by("processing_at").values_list("processing_at", flat=True).first()
    )


def cap_frees_at(job: PublishJob, reason: str, now: datetime) -> datetime:
    """When the cap ``reason`` lets ``job``'s account post again (aware UTC).

    Daily cap: 24 hours after the oldest direct post of the last 24 hours
    (a day from ``now`` when Postdeck sent none: another app used the shared
    cap, §6). Inbox limit: in an hour (the creator may clear drafts at any
    time), or sooner when the oldest pending draft leaves the 24-hour window.
    App cap: in an hour.
    """
    recent = _reached_tiktok(now).filter(account_id=job.account_id)
    if reason == Reason.DAILY_CAP:
        oldest = _oldest(recent.filter(mode=DIRECT))
        return max(oldest + DAY, now) if oldest else now + DAY
    if reason == Reason.INBOX_CAP:
        oldest = _oldest(
            recent.filter(
                mode=PublishJob.Mode.DRAFT, status__in=PublishJob.AWAITING_TIKTOK
            )
        )
        hourly = now + RECHECK_AFTER
        return min(max(oldest + DAY, now), hourly) if oldest else hourly
    return now + RECHECK_AFTER


def cap_reached_for_code(job: PublishJob, code: str) -> CapReachedError:
    """TikTok refused ``job`` with the cap error ``code`` (§5.1): the same
    error ``anticipate_caps`` raises. Raises ``KeyError`` for a code that is
    not one of TikTok's caps (``REASON_BY_CODE``)."""
    reason = REASON_BY_CODE[code]
    return CapReachedError(
        reason, cap_frees_at(job, reason, db_now()), CAP_MESSAGES[reason]
    )


CAP_MESSAGES: dict[str, str] = {
    Reason.DAILY_CAP: (
        "TikTok's daily post cap: the creator has reached the number of posts "
        "TikTok allows in 24 hours (about 15, shared by every app they use)."
    ),
    Reason.INBOX_CAP: (
        "TikTok's pending-inbox limit: the creator has 5 drafts waiting in their "
        "TikTok inbox; a new one is accepted once they post or discard some, or "
        "once one is 24 hours old."
    ),
    Reason.APP_CAP: (
        "The app's daily creator cap: the most creators TikTok lets this app post "
        "for in 24 hours already posted."
    ),
}


def anticipate_caps(job: PublishJob, now: datetime) -> None:
    """Raise ``CapReachedError`` if a cap would refuse ``job`` at ``now``: the
    creator's daily direct posts (``TIKTOK_DAILY_POST_CAP``), their pending
    drafts (``TIKTOK_PENDING_SHARE_CAP``), the app's active creators
    (``TIKTOK_ACTIVE_USER_CAP``, 0 for none)."""
    recent = _reached_tiktok(now)
    if job.mode == DIRECT:
        posts = recent.filter(account_id=job.account_id, mode=DIRECT)
        if posts.count() >= settings.TIKTOK_DAILY_POST_CAP:
            raise _reached(job, Reason.DAILY_CAP, now)
    else:
        pending = recent.filter(
            account_id=job.account_id,
            mode=PublishJob.Mode.DRAFT,
            status__in=PublishJob.AWAITING_TIKTOK,
        )
        if pending.count() >= settings.TIKTOK_PENDING_SHARE_CAP:
            raise _reached(job, Reason.INBOX_CAP, now)
    cap = settings.TIKTOK_ACTIVE_USER_CAP
    if cap:
        active = set(recent.values_list("account_id", flat=True).distinct())
        if job.account_id not in active and len(active) >= cap:
            raise _reached(job, Reason.APP_CAP, now)


def _reached(job: PublishJob, reason: str, now: datetime) -> CapReachedError:
    return CapReachedError(reason, cap_frees_at(job, reason, now), CAP_MESSAGES[reason])


def cap_deferral_for(job: PublishJob, error: CapReachedError) -> Deferral:
    """How ``job`` (its ``post.workspace`` loaded or loadable) waits out the
    cap in ``error``, per its workspace's ``cap_deferral_policy``, with the
    sentence staff see: when Postdeck tries next, in the post's time zone, or
    that it waits for a new time."""
    hold = (
        job.post.workspace.cap_deferral_policy
        == job.post.workspace.CapDeferral.WAIT_FOR_STAFF
    )
    zone = job.post.time_zone or job.post.workspace.time_zone or "UTC"
    frees = format_local(error.until, zone)
    if hold:
        tail = (
            f" It frees up around {frees}. This workspace waits for staff: pick a "
            "new time in the composer or on the calendar and Postdeck sends it then."
        )
    elif error.reason == Reason.DAILY_CAP:
        tail = (
            f" Postdeck tries again at {frees}, when its oldest post is 24 hours old."
        )
    else:
        tail = f" Postdeck looks again every hour; next at {frees}."
    return Deferral(error.reason, error.until, hold, error.message + tail)
