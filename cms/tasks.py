"""Celery tasks of the CMS: thin, by id, the work is in services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="cms.review_reminders", ignore_result=True)
def review_reminders_task() -> int:
    """Beat: queue one reminder per post still in review close to its time
    (``posts_due_for_review_reminder``). Returns how many were queued."""
    from django.utils import timezone

    from cms.review.selectors import posts_due_for_review_reminder

    post_ids = posts_due_for_review_reminder(timezone.now())
    for post_id in post_ids:
        review_remind_task.delay(post_id)
    return len(post_ids)


@shared_task(name="cms.review_remind", ignore_result=True)
def review_remind_task(post_id: int) -> None:
    """Remind one post's reviewers (once per review round)."""
    from cms.review.transitions import post_remind_reviewers

    post_remind_reviewers(post_id=post_id)


@shared_task(name="cms.review_email_digests", ignore_result=True)
def review_email_digests_task() -> int:
    """Beat: send the daily review digests that are due; returns how many."""
    from django.utils import timezone

    from cms.review.email import review_digests_send

    return review_digests_send(now=timezone.now())
