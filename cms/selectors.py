"""Read-side queries for content, scoped to what a user may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from cms.models import Post, Workspace


def workspace_ids_for(user: Any) -> set[int] | None:
    """The workspaces ``user`` may see, or None meaning all (superusers)."""
    if getattr(user, "is_superuser", False):
        return None
    if not user.is_authenticated:
        return set()
    return set(
        Workspace.objects.filter(memberships__user=user).values_list("pk", flat=True)
    )


def workspace_list_for(user: Any) -> QuerySet[Workspace]:
    ids = workspace_ids_for(user)
    workspaces = Workspace.objects.all()
    return workspaces if ids is None else workspaces.filter(pk__in=ids)


def post_list_scheduled_between(
    *, workspace_ids: set[int] | None, start: datetime, end: datetime
) -> QuerySet[Post]:
    posts = Post.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if workspace_ids is not None:
        posts = posts.filter(workspace_id__in=workspace_ids)
    return posts.select_related("workspace").order_by("scheduled_at")
