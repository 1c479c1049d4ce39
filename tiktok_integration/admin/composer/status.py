"""Each target's live state after the composer's button, for the page to poll.

TikTok processes a post for a while after it has it (docs/tiktok.md §8.6);
the page shows these words until every target has ended.
"""

from __future__ import annotations

from typing import Any

from cms.models import Post
from cms.scheduling import format_local
from tiktok_integration.models import PublishJob

Status = PublishJob.Status

#: Still moving by itself: the page keeps polling.
MOVING = (
    Status.SCHEDULED,
    Status.CLAIMED,
    Status.INIT_PENDING,
    Status.UPLOADING,
    Status.PROCESSING,
)


def _waits_for_link(job: PublishJob) -> bool:
    # TikTok names a public post only after moderation; the poller keeps
    # asking (publishing.status) while next_action_at is set.
    return (
        job.status == Status.PUBLISHED
        and not job.public_url
        and job.next_action_at is not None
    )


def _words(job: PublishJob, time_zone: str, *, in_review: bool = False) -> str:
    status = job.status
    reason = job.failure_message or job.fail_reason
    if status == Status.SCHEDULED:
        if job.scheduled_at is None:
            return "Waiting to be sent."
        # The admin's one way of writing a moment: "1 Dec 2026, 16:49 CET
        # (Europe/Berlin)", as on the post page and the calendar.
        planned = format_local(job.scheduled_at, time_zone)
        if job.deferred_until is not None:
            # A cap deferred it: the planned time stays, the message says when
            # Postdeck tries next and why.
            return f"Planned for {planned}. {job.failure_message}"
        if in_review:
            # The dispatcher holds it until the review ends (docs/review.md).
            return f"Planned for {planned}; it goes out once approved."
        return f"Scheduled for {planned}."
    if status in (Status.CLAIMED, Status.INIT_PENDING, Status.UPLOADING):
        return "Sending to TikTok."
    if status == Status.PROCESSING:
        return "Processing at TikTok; this may take a few minutes."
    if status == Status.SENT_TO_INBOX:
        return (
            "Sent to the creator's TikTok inbox: they finish the post in the "
            "TikTok app."
        )
    if status == Status.PUBLISHED:
        if job.public_url:
            return "Published."
        if _waits_for_link(job):
            return "Published; waiting for TikTok to give the post's link."
        return "Published. TikTok gives a link only to posts everyone can see."
    if status == Status.FAILED:
        return f"Failed: {reason}" if reason else "Failed."
    if status == Status.CANCELLED:
        return "Cancelled."
    return (
        f"{job.get_status_display()}: {reason}"
        if reason
        else (f"{job.get_status_display()}.")
    )


def post_status(post: Post) -> dict[str, Any]:
    """``{"ended": bool, "targets": [{"account_id", "account", "status",
    "label", "words", "url", "ended"}]}`` for the post's jobs (cancelled ones
    left out unless all are)."""
    jobs = list(
        PublishJob.objects.filter(post=post).select_related("account").order_by("pk")
    )
    shown = [job for job in jobs if job.status != Status.CANCELLED] or jobs
    zone = post.time_zone or post.workspace.time_zone
    in_review = post.editorial_state in (
        Post.EditorialState.IN_REVIEW,
        Post.EditorialState.CHANGES_REQUESTED,
    )
    targets = [
        {
            "account_id": job.account_id,
            "account": f"@{job.account.username}"
            if job.account.username
            else str(job.account),
            "status": job.status,
            "label": job.get_status_display(),
            "words": _words(job, zone, in_review=in_review),
            "url": job.public_url,
            "ended": job.status not in MOVING and not _waits_for_link(job),
        }
        for job in shown
    ]
    return {
        "ended": all(target["ended"] for target in targets),
        "targets": targets,
    }
