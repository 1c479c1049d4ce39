"""The sandbox's read side: what it saw ("the sandbox counts") and what the
Display API lists."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tiktok_sandbox.models import (
    INIT_ENDPOINTS,
    SandboxCall,
    SandboxCreator,
    SandboxPublish,
    SandboxVideo,
    SandboxWebhookDelivery,
)


def _creator_filter(creator_open_id: str | None, path: str = "creator") -> Q:
    if creator_open_id is None:
        return Q()
    return Q(**{f"{path}__open_id": creator_open_id})


def sandbox_call_list(
    *,
    endpoint: str | None = None,
    creator_open_id: str | None = None,
    publish_id: str | None = None,
) -> QuerySet[SandboxCall]:
    """Journal rows, oldest first."""
    calls = SandboxCall.objects.filter(_creator_filter(creator_open_id))
    if endpoint is not None:
        calls = calls.filter(endpoint=endpoint)
    if publish_id is not None:
        calls = calls.filter(publish_id=publish_id)
    return calls.order_by("created_at", "pk")


def sandbox_call_count(
    *,
    endpoint: str,
    creator_open_id: str | None = None,
    http_status: int | None = None,
) -> int:
    """How many calls reached ``endpoint`` (optionally with one HTTP status)."""
    calls = sandbox_call_list(endpoint=endpoint, creator_open_id=creator_open_id)
    if http_status is not None:
        calls = calls.filter(http_status=http_status)
    return calls.count()


def sandbox_init_count(
    *, creator_open_id: str | None = None, endpoint: str | None = None
) -> int:
    """Inits that created a publish, answered or not (a dropped answer counts:
    the publish exists at TikTok either way)."""
    endpoints = [endpoint] if endpoint is not None else list(INIT_ENDPOINTS)
    return (
        SandboxCall.objects.filter(_creator_filter(creator_open_id))
        .filter(endpoint__in=endpoints)
        .exclude(publish_id="")
        .count()
    )


def sandbox_publish_list(
    *, creator_open_id: str | None = None
) -> QuerySet[SandboxPublish]:
    return (
        SandboxPublish.objects.filter(_creator_filter(creator_open_id))
        .select_related("creator")
        .order_by("created_at", "pk")
    )


def sandbox_fully_uploaded_publish_count(*, creator_open_id: str | None = None) -> int:
    """Publishes whose media fully arrived (uploaded or downloaded)."""
    return (
        sandbox_publish_list(creator_open_id=creator_open_id)
        .exclude(received_sha256="")
        .count()
    )


def sandbox_completed_publish_count(*, creator_open_id: str | None = None) -> int:
    """Publishes in PUBLISH_COMPLETE: posts that exist on a profile."""
    return (
        sandbox_publish_list(creator_open_id=creator_open_id)
        .filter(status=SandboxPublish.Status.PUBLISH_COMPLETE)
        .count()
    )


def sandbox_publish_get(*, publish_id: str) -> SandboxPublish:
    """Raises SandboxPublish.DoesNotExist."""
    return SandboxPublish.objects.select_related("creator").get(publish_id=publish_id)


def sandbox_creator_get(*, username: str) -> SandboxCreator:
    """Raises SandboxCreator.DoesNotExist."""
    return SandboxCreator.objects.get(username=username)


def sandbox_creator_list() -> QuerySet[SandboxCreator]:
    return SandboxCreator.objects.order_by("username")


def sandbox_webhook_delivery_list(
    *, event: str | None = None, publish_id: str | None = None
) -> QuerySet[SandboxWebhookDelivery]:
    deliveries = SandboxWebhookDelivery.objects.select_related("creator", "publish")
    if event is not None:
        deliveries = deliveries.filter(event=event)
    if publish_id is not None:
        deliveries = deliveries.filter(publish__publish_id=publish_id)
    return deliveries.order_by("created_at", "pk")


# --- Display API ----------------------------------------------------------------


def sandbox_public_videos(*, creator: SandboxCreator) -> QuerySet[SandboxVideo]:
    """A creator's public, moderated videos, newest first."""
    return (
        SandboxVideo.objects.filter(
            creator=creator, publicly_available_at__isnull=False
        )
        .select_related("creator")
        .order_by("-posted_at", "-pk")
    )


def sandbox_video_page(
    *, creator: SandboxCreator, before_ms: int | None, max_count: int
) -> tuple[list[SandboxVideo], bool]:
    """One page of video/list: videos created before ``before_ms`` (UTC ms),
    newest first, and whether more exist."""
    videos = sandbox_public_videos(creator=creator)
    if before_ms is not None:
        videos = videos.filter(
            posted_at__lt=datetime.fromtimestamp(before_ms / 1000, tz=UTC)
        )
    page = list(videos[: max_count + 1])
    return page[:max_count], len(page) > max_count


def sandbox_videos_by_id(
    *, creator: SandboxCreator, video_ids: Iterable[str]
) -> list[SandboxVideo]:
    """video/query: the creator's public videos among ``video_ids``; foreign and
    unknown ids are left out."""
    return list(sandbox_public_videos(creator=creator).filter(video_id__in=video_ids))


@dataclass(frozen=True, slots=True)
class VideoMetrics:
    view_count: int
    like_count: int
    comment_count: int
    share_count: int


def sandbox_video_metrics(
    *, video: SandboxVideo, now: datetime | None = None
) -> VideoMetrics:
    """Counts that grow with time since the video went public, at a rate fixed
    by its id, so repeated reads agree and later reads are higher."""
    now = now or timezone.now()
    since = video.publicly_available_at
    if since is None:
        return VideoMetrics(0, 0, 0, 0)
    minutes = max(0.0, (now - since).total_seconds() / 60)
    seed = int(hashlib.sha256(video.video_id.encode()).hexdigest()[:6], 16)
    views = int(minutes * (20 + seed % 80))
    comments = 0 if video.creator.is_comment_disabled else views // 150
    return VideoMetrics(views, views // 12, comments, views // 200)


def sandbox_creator_like_total(
    *, creator: SandboxCreator, now: datetime | None = None
) -> int:
    now = now or timezone.now()
    return creator.likes_count + sum(
        sandbox_video_metrics(video=video, now=now).like_count
        for video in sandbox_public_videos(creator=creator)
    )


#: One new follower per this many views of the creator's public videos.
VIEWS_PER_NEW_FOLLOWER = 100


def sandbox_creator_follower_total(
    *, creator: SandboxCreator, now: datetime | None = None
) -> int:
    """Followers grow with the views the creator's videos collect, so a
    profile sync sees growth over time."""
    now = now or timezone.now()
    views = sum(
        sandbox_video_metrics(video=video, now=now).view_count
        for video in sandbox_public_videos(creator=creator)
    )
    return creator.follower_count + views // VIEWS_PER_NEW_FOLLOWER
