"""Read-side queries for TikTok accounts, publish jobs and the state of a post
derived from its jobs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from cms.models import Post
from tiktok_integration.models import PublishJob, TikTokAccount


def _scoped_jobs(workspace_ids: set[int] | None) -> QuerySet[PublishJob]:
    jobs = PublishJob.objects.all()
    if workspace_ids is not None:
        jobs = jobs.filter(post__workspace_id__in=workspace_ids)
    return jobs


def publish_job_list_scheduled_between(
    *, workspace_ids: set[int] | None, start: datetime, end: datetime
) -> QuerySet[PublishJob]:
    return (
        _scoped_jobs(workspace_ids)
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .exclude(status=PublishJob.Status.CANCELLED)
        .select_related("post", "account", "post__workspace")
        .order_by("scheduled_at")
    )


@dataclass(frozen=True, slots=True)
class CapDeferral:
    """A job one of TikTok's caps deferred, for the calendar to draw at both
    times. ``planned_at``: its planned time (aware UTC, kept); ``next_try_at``:
    when Postdeck tries next (aware UTC), None when the workspace waits for
    staff (``held``); ``reason`` a ``PublishJob.DeferralReason`` value and
    ``reason_label`` its words; ``message`` the sentence staff see."""

    job_id: int
    post_id: int
    account_id: int
    planned_at: datetime
    next_try_at: datetime | None
    held: bool
    reason: str
    reason_label: str
    message: str


def cap_deferrals_between(
    *, workspace_ids: set[int] | None, start: datetime, end: datetime
) -> list[CapDeferral]:
    """Jobs waiting because of a posting cap (scheduled with a next try, or
    held for staff) whose planned time or next try falls in [start, end)
    (aware), in planned order. ``workspace_ids`` None: every workspace. One
    query, however many jobs."""
    jobs = (
        _scoped_jobs(workspace_ids)
        .filter(status__in=PublishJob.WAITING)
        .exclude(deferred_reason="")
        .filter(
            Q(scheduled_at__gte=start, scheduled_at__lt=end)
            | Q(deferred_until__gte=start, deferred_until__lt=end)
        )
        .order_by("scheduled_at", "pk")
    )
    labels = dict(PublishJob.DeferralReason.choices)
    return [
        CapDeferral(
            job_id=job.pk,
            post_id=job.post_id,
            account_id=job.account_id,
            planned_at=job.scheduled_at,
            next_try_at=job.deferred_until,
            held=job.status == PublishJob.Status.NEEDS_CONFIRMATION,
            reason=job.deferred_reason,
            reason_label=labels.get(job.deferred_reason, job.deferred_reason),
            message=job.failure_message,
        )
        for job in jobs.only(
            "pk",
            "post_id",
            "account_id",
            "scheduled_at",
            "deferred_until",
            "status",
            "deferred_reason",
            "failure_message",
        )
    ]


def publish_job_list_needing_attention(
    *, workspace_ids: set[int] | None
) -> QuerySet[PublishJob]:
    return (
        _scoped_jobs(workspace_ids)
        .filter(status__in=PublishJob.NEEDS_ATTENTION)
        .select_related("post", "account", "post__workspace")
        .order_by("-updated_at")
    )


def tiktok_account_list_needing_reconnection(
    *, workspace_ids: set[int] | None
) -> QuerySet[TikTokAccount]:
    accounts = TikTokAccount.objects.filter(status=TikTokAccount.Status.REAUTH_REQUIRED)
    if workspace_ids is not None:
        accounts = accounts.filter(workspace_id__in=workspace_ids)
    return accounts.select_related("workspace").order_by("reauth_required_at")


# --- A post's state, derived from its jobs ------------------------------------

DRAFT = "draft"
SCHEDULED = "scheduled"
PUBLISHING = "publishing"
PUBLISHED = "published"
PARTLY_PUBLISHED = "partly_published"
NEEDS_ATTENTION = "needs_attention"
SENT_TO_INBOX = "sent_to_inbox"
POST_STATE_LABELS = {
    DRAFT: "Draft",
    SCHEDULED: "Scheduled",
    PUBLISHING: "Publishing",
    PUBLISHED: "Published",
    PARTLY_PUBLISHED: "Partly published",
    NEEDS_ATTENTION: "Needs attention",
    SENT_TO_INBOX: "Sent to inbox",
}
_DONE = (PublishJob.Status.PUBLISHED, PublishJob.Status.SENT_TO_INBOX)
_SENDING = (*PublishJob.IN_FLIGHT, PublishJob.Status.PROCESSING)


def post_state_for(jobs: Iterable[PublishJob]) -> str:
    """A post's state from its jobs (one of ``POST_STATE_LABELS``' keys).

    No job that is not cancelled: "draft" (nothing will go out). Any job
    stopped for a person: "needs_attention". All published: "published"; all
    in creators' inboxes: "sent_to_inbox" (an inbox job is never a draft);
    any being sent or processed: "publishing"; some done, the rest waiting:
    "partly_published"; else "scheduled". Pure: give it prefetched jobs.
    """
    statuses = [job.status for job in jobs if job.status != PublishJob.Status.CANCELLED]
    if not statuses:
        return DRAFT
    if any(status in PublishJob.NEEDS_ATTENTION for status in statuses):
        return NEEDS_ATTENTION
    if all(status == PublishJob.Status.PUBLISHED for status in statuses):
        return PUBLISHED
    if all(status == PublishJob.Status.SENT_TO_INBOX for status in statuses):
        return SENT_TO_INBOX
    if any(status in _SENDING for status in statuses):
        return PUBLISHING
    if any(status in _DONE for status in statuses):
        return PARTLY_PUBLISHED
    return SCHEDULED


def post_list_with_targets(posts: QuerySet[Post]) -> QuerySet[Post]:
    """``posts`` with their jobs and the jobs' accounts prefetched: one more
    query for a whole page, however many posts and jobs it holds; read them
    with ``post.publish_jobs.all()`` and ``post_state_for``."""
    return posts.prefetch_related(
        Prefetch(
            "publish_jobs",
            queryset=PublishJob.objects.select_related("account").order_by(
                "account__username", "pk"
            ),
        )
    )


def publish_job_list_started_for_post(*, post_id: int) -> list[PublishJob]:
    """The post's jobs staff can no longer change (claimed or beyond, or
    cancelled after something reached TikTok), with their accounts."""
    jobs = (
        PublishJob.objects.filter(post_id=post_id)
        .exclude(status__in=PublishJob.EDITABLE)
        .select_related("account")
    )
    return [job for job in jobs if job_is_started(job)]


def job_is_started(job: PublishJob) -> bool:
    """Claimed or beyond: staff can no longer change or move it. A job
    cancelled before anything reached TikTok (no init asked, no publish id)
    counts as not started: it may be reopened."""
    if job.status in PublishJob.EDITABLE:
        return False
    if job.status == PublishJob.Status.CANCELLED:
        return bool(job.init_requested_at or job.publish_id)
    return True


def post_preview_accounts(*, post_id: int) -> list[dict[str, Any]]:
    """The accounts a post goes to (not cancelled), for review previews: dicts
    with ``username``, ``display_name`` and ``avatar_url``. One query."""
    return [
        dict(row)
        for row in PublishJob.objects.filter(post_id=post_id)
        .exclude(status=PublishJob.Status.CANCELLED)
        .order_by("account__username")
        .values(
            username=F("account__username"),
            display_name=F("account__display_name"),
            avatar_url=F("account__avatar_url"),
        )
    ]
