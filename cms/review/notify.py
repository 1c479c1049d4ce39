"""Tell people about reviews: a ``Notification`` row (the admin's list) and an
email as each person chose (``cms.review.email``), sent after the transaction
commits so a rolled-back move mails nobody.

Who hears what:

- waiting for review (and reminders): the stage's reviewers, managers and
  approvers for the internal stage, signed-in client reviewers for the client
  stage; never the person who asked;
- changes requested, approved, approved after its time: the post's author and
  whoever submitted it for review;
- mentions: the members named with ``@username`` in a comment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cms.models import Post
from cms.review.email import notification_emails_send
from cms.review.models import Notification, PostReviewEvent
from cms.scheduling import format_local
from workspaces.models import WorkspaceMembership

Role = WorkspaceMembership.Role


def review_url(post: Post) -> str:
    """Absolute URL of the post's review page in the admin."""
    return settings.BASE_URL + reverse("admin:cms_post_review", args=[post.pk])


def _reviewers(post: Post) -> list[Any]:
    roles = (
        [Role.CLIENT_REVIEWER]
        if post.review_stage == Post.ReviewStage.CLIENT
        else [Role.MANAGER, Role.APPROVER]
    )
    return list(
        get_user_model().objects.filter(
            is_active=True,
            memberships__workspace_id=post.workspace_id,
            memberships__role__in=roles,
        )
    )


def _team(post: Post) -> list[Any]:
    found: set[int | None] = set(
        PostReviewEvent.objects.filter(
            post=post, action__in=("submitted", "edited_after_approval")
        ).values_list("actor_id", flat=True)
    )
    found.add(post.created_by_id)
    ids = {pk for pk in found if pk is not None}
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _deliver(users: list[Any], post: Post | None, kind: str, message: str) -> None:
    if not users:
        return
    Notification.objects.bulk_create(
        Notification(user=user, post=post, kind=kind, message=message[:300])
        for user in users
    )
    link = review_url(post) if post is not None else settings.BASE_URL
    notification_emails_send(users, message, link)


def review_requested(*, post: Post, exclude_user: Any, reminder: bool = False) -> None:
    """Tell the current stage's reviewers that ``post`` waits for them."""
    users = [user for user in _reviewers(post) if user != exclude_user]
    stage = (
        "client review" if post.review_stage == Post.ReviewStage.CLIENT else "review"
    )
    if reminder:
        when = (
            " before "
            + format_local(
                post.scheduled_at, post.time_zone or post.workspace.time_zone
            )
            if post.scheduled_at
            else ""
        )
        _deliver(
            users,
            post,
            Notification.Kind.REMINDER,
            f"Still waiting for your {stage}{when}: {post.title}",
        )
        return
    _deliver(
        users,
        post,
        Notification.Kind.REVIEW_REQUESTED,
        f"Waiting for your {stage}: {post.title}",
    )


def to_team(*, post: Post, kind: str, by: Any, note: str = "") -> None:
    """Tell the post's author and submitter about an outcome (``kind`` is a
    ``Notification.Kind``; ``by`` the ``Reviewer``)."""
    users = [user for user in _team(post) if user != by.user]
    texts: dict[str, str] = {
        Notification.Kind.APPROVED: (
            f"{by.name} approved: {post.title}; it is scheduled."
        ),
        Notification.Kind.NEEDS_NEW_TIME: (
            f"{by.name} approved '{post.title}' after its planned time: "
            "pick a new time, it will not go out late by surprise."
        ),
        Notification.Kind.CHANGES_REQUESTED: (
            f"{by.name} asked for changes to '{post.title}': {note.strip()}"
        ),
    }
    _deliver(users, post, kind, texts[kind])


def mentioned(*, post: Post, users: list[Any], author_name: str) -> None:
    """Tell members named in a comment."""
    _deliver(
        users,
        post,
        Notification.Kind.MENTION,
        f"{author_name} mentioned you on '{post.title}'",
    )


def notifications_mark_read(*, user: Any) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
