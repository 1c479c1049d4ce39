"""Writes for editorial content."""

from __future__ import annotations

from django.db import transaction

from cms.models import Post
from workspaces.models import Workspace


def post_save(*, post: Post) -> Post:
    """Validate and save a post; its time zone defaults to the workspace's."""
    if not post.pk and post.time_zone == "UTC" and post.workspace_id:
        post.time_zone = Workspace.objects.values_list("time_zone", flat=True).get(
            pk=post.workspace_id
        )
    post.full_clean()
    with transaction.atomic():
        post.save()
    return post
