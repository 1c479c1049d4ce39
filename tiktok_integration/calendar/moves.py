"""Moving a post on the calendar (drag and drop or the keyboard).

The calendar sends the wall time the post was dropped on, in the zone the
calendar shows. The move goes through the composer's own rules
(``services.reschedule.post_reschedule``: membership, the time in the future,
DST gaps and repeats via ``cms.scheduling``, copies already claimed) plus
TikTok's daily caps (``calendar.capacity``, docs/tiktok.md §6), and is
recorded as a ``PostMove`` (who, from, to) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cms.models import Post
from cms.scheduling import LocalTimeError, local_to_utc, utc_to_local
from tiktok_integration.calendar.capacity import capacity_problems
from tiktok_integration.models import PostMove, PublishJob
from tiktok_integration.selectors import job_is_started
from tiktok_integration.services.compose import ComposeError
from tiktok_integration.services.compose_checks import member_of
from tiktok_integration.services.reschedule import post_reschedule

WALL_FORMAT = "%Y-%m-%d %H:%M"


class MoveRefusedError(Exception):
    """Nothing was moved; ``str()`` is the reason, a sentence for staff."""


def _post_zone(post: Post) -> str:
    return post.time_zone or post.workspace.time_zone


def calendar_post_move(
    *, post_id: int, user_id: int, wall_time: datetime, time_zone: str
) -> PostMove:
    """Move post ``post_id`` to ``wall_time`` (naive) as shown in
    ``time_zone`` (IANA; the post's own zone or the viewer's). The post keeps
    its zone: a drop in another zone is converted to the post's wall time.

    Raises ``MoveRefusedError`` with the reason when the user is not a member
    of the post's workspace, a copy is publishing, published or failed (or
    otherwise claimed), the time does not exist (a DST gap) or happens twice,
    is in the past, or would put an account's day over TikTok's caps. Returns
    the ``PostMove`` recorded.
    """
    post = Post.objects.select_related("workspace").filter(pk=post_id).first()
    if post is None or not member_of(user_id, post.workspace_id):
        raise MoveRefusedError("This post is not in one of your workspaces.")
    jobs = [
        job
        for job in PublishJob.objects.filter(post=post).select_related("account")
        if job.status != PublishJob.Status.CANCELLED or job_is_started(job)
    ]
    for job in jobs:
        if job_is_started(job):
            raise MoveRefusedError(
                f"\u201c{post.title}\u201d cannot be moved: its copy for "
                f"@{job.account.username} is already "
                f"'{job.get_status_display()}'."
            )
    zone = _post_zone(post)
    try:
        instant = local_to_utc(wall_time, time_zone)
    except LocalTimeError as error:
        raise MoveRefusedError(str(error)) from error
    local = utc_to_local(instant, zone)
    new_wall = local.replace(tzinfo=None)
    problems = capacity_problems(
        targets=[(job.account_id, job.mode) for job in jobs],
        scheduled_at=instant,
        time_zone=zone,
        post_id=post.pk,
    )
    if problems:
        raise MoveRefusedError(
            " ".join(message for messages in problems.values() for message in messages)
        )
    before_wall = post.scheduled_wall_time
    before_at = post.scheduled_at
    with transaction.atomic():
        try:
            moved = post_reschedule(
                post_id=post.pk,
                wall_time=new_wall,
                time_zone=zone,
                fold=local.fold,
                user_id=user_id,
            )
        except ComposeError as error:
            raise MoveRefusedError(
                " ".join(m for messages in error.errors.values() for m in messages)
            ) from error
        return PostMove.objects.create(
            post=moved,
            moved_by_id=user_id,
            time_zone=zone,
            from_wall_time=before_wall.strftime(WALL_FORMAT) if before_wall else "",
            to_wall_time=new_wall.strftime(WALL_FORMAT),
            from_instant=before_at,
            to_instant=instant,
        )
