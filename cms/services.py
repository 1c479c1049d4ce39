"""Writes for editorial content."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cms.models import Post
from cms.scheduling import LocalTimeError, local_to_utc
from workspaces.models import Workspace


def post_schedule_derive(*, post: Post) -> datetime | None:
    """Fill the post's time zone with its workspace's when empty, then set and
    return ``post.scheduled_at`` (aware UTC, or None for a draft) from its wall
    time, zone and fold via ``cms.scheduling.local_to_utc``. Saves nothing.

    Raises ``ValidationError`` on ``scheduled_time`` (a DST gap, with the valid
    choices named) or ``scheduled_date`` (only one of date/time given).
    """
    if not post.time_zone and post.workspace_id:
        post.time_zone = Workspace.objects.values_list("time_zone", flat=True).get(
            pk=post.workspace_id
        )
    if (post.scheduled_date is None) != (post.scheduled_time is None):
        raise ValidationError(
            {"scheduled_date": "Give both a date and a time, or neither for a draft."}
        )
    wall_time = post.scheduled_wall_time
    if wall_time is None:
        post.scheduled_at = None
        return None
    try:
        post.scheduled_at = local_to_utc(
            wall_time, post.time_zone or "UTC", fold=post.scheduled_fold
        )
    except LocalTimeError as error:
        raise ValidationError({"scheduled_time": str(error)}) from error
    return post.scheduled_at


def post_save(*, post: Post) -> Post:
    """Validate and save a post; its time zone defaults to the workspace's and
    its UTC time is derived from the wall time typed (``post_schedule_derive``).
    Raises ``ValidationError``."""
    post_schedule_derive(post=post)
    post.full_clean()
    with transaction.atomic():
        post.save()
    return post
