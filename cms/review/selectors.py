"""Read side of review: what may be published, what waits for whom, threads
and notification lists. Every list loads what its page renders in a fixed
number of queries, however many rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from cms.models import Post
from cms.review.models import Notification, PostComment, PostReviewEvent
from workspaces.models import Workspace, WorkspaceMembership

Role = WorkspaceMembership.Role
State = Post.EditorialState


def post_release_filter(prefix: str = "") -> Q:
    """A ``Q`` true for posts that may be published now: their workspace asks
    for no approval, or they are Scheduled (approved with a time ahead).
    ``prefix`` leads to the post from another model, e.g. ``"post__"`` for a
    ``PublishJob``."""
    return Q(
        **{f"{prefix}workspace__approval_policy": Workspace.ApprovalPolicy.NONE}
    ) | Q(**{f"{prefix}editorial_state": State.SCHEDULED})


def post_may_be_released(post: Post) -> bool:
    """``post_release_filter`` for one loaded post (its workspace loaded)."""
    return (
        post.workspace.approval_policy == Workspace.ApprovalPolicy.NONE
        or post.editorial_state == State.SCHEDULED
    )


def posts_waiting_for(user: Any) -> QuerySet[Post]:
    """Posts that need ``user``'s action, soonest first, workspace loaded:

    - in review at a stage ``user`` may act on: the internal stage for
      managers and approvers (their own submissions too: the transition says
      why it refuses), the client stage for client reviewers; every in-review
      post for superusers;
    - posts ``user`` created that came back with changes requested (only
      they can answer the note), while they are still on the team.
    """
    posts = Post.objects.select_related("workspace")
    mine = Q(editorial_state=State.CHANGES_REQUESTED, created_by_id=user.pk)
    if getattr(user, "is_superuser", False):
        posts = posts.filter(Q(editorial_state=State.IN_REVIEW) | mine)
    elif not getattr(user, "pk", None):
        return posts.none()
    else:
        memberships = WorkspaceMembership.objects.filter(user_id=user.pk)
        internal = memberships.filter(role__in=[Role.MANAGER, Role.APPROVER])
        client = memberships.filter(role=Role.CLIENT_REVIEWER)
        team = memberships.exclude(role=Role.CLIENT_REVIEWER)
        in_review = Q(editorial_state=State.IN_REVIEW) & (
            Q(
                review_stage=Post.ReviewStage.INTERNAL,
                workspace_id__in=internal.values("workspace_id"),
            )
            | Q(
                review_stage=Post.ReviewStage.CLIENT,
                workspace_id__in=client.values("workspace_id"),
            )
        )
        posts = posts.filter(
            in_review | (mine & Q(workspace_id__in=team.values("workspace_id")))
        )
    return posts.order_by(F("scheduled_at").asc(nulls_last=True), "pk")


def posts_in_review_for(workspace_ids: set[int] | None) -> QuerySet[Post]:
    """Every post of the workspaces (None: all) that is in review, has
    changes requested, or is approved and waits for a new time."""
    posts = Post.objects.filter(
        editorial_state__in=[State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED]
    ).select_related("workspace")
    if workspace_ids is not None:
        posts = posts.filter(workspace_id__in=workspace_ids)
    return posts.order_by(F("scheduled_at").asc(nulls_last=True), "pk")


def post_comment_threads(post: Post, *, for_team: bool) -> list[PostComment]:
    """Top-level comments with their replies (``replies_loaded``), oldest
    first; open threads first, resolved ones after. ``for_team`` False (the
    client) leaves team-only threads out."""
    replies = PostComment.objects.order_by("created_at", "pk")
    threads = PostComment.objects.filter(post=post, parent__isnull=True)
    if not for_team:
        threads = threads.filter(is_internal=False)
    threads = threads.prefetch_related(
        Prefetch("replies", queryset=replies, to_attr="replies_loaded"),
    ).order_by("is_resolved", "created_at", "pk")
    return list(threads)


def post_review_history(post: Post) -> QuerySet[PostReviewEvent]:
    """The post's review events, oldest first."""
    return PostReviewEvent.objects.filter(post=post).order_by("at", "pk")


def notifications_for(
    user: Any, *, unread_only: bool = False
) -> QuerySet[Notification]:
    """``user``'s notifications, newest first, post and its workspace loaded
    (a note's time is shown in that workspace's zone)."""
    rows = Notification.objects.filter(user_id=user.pk).select_related(
        "post__workspace"
    )
    return rows.filter(read_at__isnull=True) if unread_only else rows


def posts_due_for_review_reminder(now: datetime) -> list[int]:
    """Ids of In review posts not reminded this round whose time is within
    their workspace's ``review_reminder_hours`` of ``now`` (aware UTC)."""
    candidates = Post.objects.filter(
        editorial_state=State.IN_REVIEW,
        review_reminded_at__isnull=True,
        scheduled_at__isnull=False,
        scheduled_at__gt=now,
        scheduled_at__lte=now + timedelta(days=30),
    ).values_list("pk", "scheduled_at", "workspace__review_reminder_hours")
    return [
        pk
        for pk, scheduled_at, hours in candidates
        if scheduled_at is not None and scheduled_at - now <= timedelta(hours=hours)
    ]
