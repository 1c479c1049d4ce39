"""What reviewers approve of a post: its caption, media and each account's
TikTok settings (not its time). A change to any of them after approval sends
the post back to review (``cms.review.transitions.post_after_compose``)."""

from __future__ import annotations

from typing import Any

from cms.models import Post, PostMedia
from tiktok_integration.models import PublishJob

# The job fields staff choose in the composer that TikTok receives (§8).
REVIEWED_JOB_FIELDS = (
    "account_id",
    "mode",
    *PublishJob.TIKTOK_SETTINGS,
    "photo_cover_index",
    "photo_title",
)


def post_content_fingerprint(*, post_id: int | None) -> tuple[Any, ...] | None:
    """A comparable value of the post's reviewed content, None for no post.
    Three queries."""
    if post_id is None:
        return None
    caption = Post.objects.filter(pk=post_id).values_list("caption", flat=True).first()
    media = tuple(
        PostMedia.objects.filter(post_id=post_id)
        .order_by("position")
        .values_list("asset_id", flat=True)
    )
    jobs = tuple(
        PublishJob.objects.filter(post_id=post_id)
        .exclude(status=PublishJob.Status.CANCELLED)
        .order_by("account_id")
        .values_list(*REVIEWED_JOB_FIELDS)
    )
    return (caption, media, jobs)
