"""Move a post in time (the calendar's drag, a keyboard move, the composer's
new time for an approved post) and keep its unclaimed jobs with it.

One rule with the composer: the wall time is read by ``cms.scheduling``
(through ``instant_for``), a DST gap or repeat is refused in words, and a copy
already claimed or beyond is never moved.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from cms.models import Post
from cms.review.transitions import post_after_reschedule
from cms.scheduling import utc_to_local
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.transitions import publish_job_move
from tiktok_integration.selectors import job_is_started
from tiktok_integration.services.compose import ComposeError
from tiktok_integration.services.compose_checks import (
    ErrorMap,
    instant_for,
    member_of,
)


def post_reschedule(
    *, post_id: int, wall_time: datetime, time_zone: str, fold: int | None, user_id: int
) -> Post:
    """Move a post to ``wall_time`` (naive) in ``time_zone`` (``fold`` answers a
    repeated hour) and every job of it not claimed yet with it.

    Raises ``ComposeError``: "" (not a member), "when" (a DST gap or repeat,
    with ``local_time_error``; or a time in the past), "target:<account id>"
    (that account's copy is already claimed or beyond and is not moved).
    Nothing is written then. Returns the post.
    """
    errors = ErrorMap()
    post = Post.objects.filter(pk=post_id).only("workspace_id").first()
    if post is None or not member_of(user_id, post.workspace_id):
        raise ComposeError({"": ["This post is not in one of your workspaces."]})
    scheduled_at = instant_for(errors, wall_time, time_zone, fold)
    if scheduled_at is None:
        raise ComposeError(errors.errors, errors.local_time_error)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        jobs = list(
            PublishJob.objects.select_for_update(of=("self",))
            .filter(post=post)
            .select_related("account")
        )
        for job in jobs:
            if job_is_started(job) and job.scheduled_at != scheduled_at:
                errors.add(
                    f"target:{job.account_id}",
                    f"{job.account}'s copy is already '{job.get_status_display()}'"
                    " and cannot be moved; nothing was moved.",
                )
        if errors.errors:
            raise ComposeError(errors.errors, errors.local_time_error)
        resolved_fold = _fold_of(scheduled_at, time_zone)
        post.time_zone = time_zone
        post.scheduled_date = wall_time.date()
        post.scheduled_time = wall_time.time()
        post.scheduled_fold = resolved_fold
        post.scheduled_at = scheduled_at
        post.save(
            update_fields=[
                "time_zone",
                "scheduled_date",
                "scheduled_time",
                "scheduled_fold",
                "scheduled_at",
                "updated_at",
            ]
        )
        post_jobs_follow(post=post)
        return post_after_reschedule(
            post_id=post.pk, user=get_user_model().objects.get(pk=user_id)
        )


def post_jobs_follow(*, post: Post) -> int:
    """Give every job of ``post`` that is not claimed yet the post's time
    (``post.scheduled_at``, aware UTC; a post without a time moves nothing).
    Call it inside the transaction that saved the post. Returns how many
    moved. Raises ``InvalidTransitionError`` when a job was claimed meanwhile
    (then the caller's transaction must roll back)."""
    if post.scheduled_at is None:
        return 0
    moved = 0
    jobs = PublishJob.objects.filter(post=post, status__in=PublishJob.EDITABLE)
    for job_id, scheduled_at in jobs.values_list("pk", "scheduled_at"):
        if scheduled_at != post.scheduled_at:
            publish_job_move(publish_job_id=job_id, scheduled_at=post.scheduled_at)
            moved += 1
    return moved


def _fold_of(moment: datetime, time_zone: str) -> int:
    return utc_to_local(moment, time_zone).fold
