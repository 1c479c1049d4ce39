"""Comments on a post: write, reply, resolve; ``@username`` mentions of
workspace members notify them."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cms.models import Post
from cms.review import notify
from cms.review.models import PostComment
from workspaces.models import WorkspaceMembership
from workspaces.selectors import workspace_role_of

MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


class CommentError(Exception):
    """The comment was refused; ``str()`` says why. Nothing was written."""


def _members_named(post: Post, body: str, *, team_only: bool) -> list[Any]:
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    if not names:
        return []
    members = get_user_model().objects.filter(
        username__in=names,
        is_active=True,
        memberships__workspace_id=post.workspace_id,
    )
    if team_only:
        # A client reviewer is never told of a comment they may not read.
        members = members.exclude(
            memberships__workspace_id=post.workspace_id,
            memberships__role=WorkspaceMembership.Role.CLIENT_REVIEWER,
        )
    return list(members.distinct())


def post_comment_create(
    *,
    post: Post,
    body: str,
    user: Any = None,
    author_name: str = "",
    parent_id: int | None = None,
    is_internal: bool = False,
) -> PostComment:
    """Add a comment (``parent_id``: reply to a top-level comment of the same
    post) by a signed-in ``user`` or a link reviewer named ``author_name``.
    ``is_internal`` keeps a new thread from the client (only the team may
    ask for it); a reply takes its thread's setting.

    Raises ``CommentError``: empty body, no name, a parent that is not a
    top-level comment of this post (or one the author may not see), or a
    team-only comment asked by someone outside the team.
    """
    body = body.strip()
    name = (user.get_full_name() or user.get_username()) if user else author_name
    if not body:
        raise CommentError("Write something first.")
    if not name.strip():
        raise CommentError("Give your name.")
    is_team = user is not None and workspace_role_of(user, post.workspace_id) not in (
        None,
        WorkspaceMembership.Role.CLIENT_REVIEWER,
    )
    if is_internal and not is_team:
        raise CommentError("Only the team can write team-only comments.")
    if parent_id is not None:
        parent = PostComment.objects.filter(
            pk=parent_id, post=post, parent__isnull=True
        ).first()
        if parent is None or (parent.is_internal and not is_team):
            raise CommentError("That comment is not on this post.")
        is_internal = parent.is_internal
    with transaction.atomic():
        comment = PostComment.objects.create(
            post=post,
            parent_id=parent_id,
            author=user,
            author_name=name.strip()[:150],
            body=body[:4000],
            is_internal=is_internal,
        )
        named = [
            member
            for member in _members_named(post, body, team_only=is_internal)
            if member != user
        ]
        if named:
            comment.mentions.set(named)
            notify.mentioned(post=post, users=named, author_name=comment.author_name)
    return comment


def post_comment_resolve(*, comment_id: int, post: Post, user: Any) -> None:
    """Resolve a top-level comment (its thread folds away). Raises
    ``CommentError`` if it is not a top-level comment of ``post``."""
    updated = PostComment.objects.filter(
        pk=comment_id, post=post, parent__isnull=True, is_resolved=False
    ).update(is_resolved=True, resolved_by=user, resolved_at=timezone.now())
    if updated != 1:
        raise CommentError("That comment is not open on this post.")
