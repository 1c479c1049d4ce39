"""Read-side queries for content, scoped to what a user may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from cms.models import Post


def post_list_scheduled_between(
    *, workspace_ids: set[int] | None, start: datetime, end: datetime
) -> QuerySet[Post]:
    posts = Post.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if workspace_ids is not None:
        posts = posts.filter(workspace_id__in=workspace_ids)
    return posts.select_related("workspace").order_by("scheduled_at")
