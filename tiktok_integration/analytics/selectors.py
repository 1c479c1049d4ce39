"""What the analytics pages draw, in a constant number of queries each.

Series come back as ``Series``: x in UTC epoch seconds (what uPlot expects) and
one list of values per label, ready for ``json_script``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from tiktok_integration.models import (
    AccountSnapshot,
    PublishJob,
    TikTokVideo,
    VideoSnapshot,
)

#: Sort keys the account page's video table accepts, to model fields.
VIDEO_ORDERINGS: dict[str, str] = {
    "posted": "created_on_tiktok_at",
    "views": "latest_view_count",
    "likes": "latest_like_count",
    "comments": "latest_comment_count",
    "shares": "latest_share_count",
    "title": "title",
}
#: The heatmap reads the snapshot nearest after 24 h, up to this much later.
HEATMAP_TOLERANCE = timedelta(hours=12)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Series:
    """One chart's data: ``x`` (epoch seconds) and ``values[label]`` per x."""

    title: str
    x: list[int]
    values: dict[str, list[int]]

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "x": self.x, "series": self.values}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def account_follower_series(*, account_id: int) -> Series:
    """Followers over time from the account's snapshots."""
    rows = AccountSnapshot.objects.filter(account_id=account_id).order_by("taken_at")
    x: list[int] = []
    followers: list[int] = []
    for taken_at, follower_count in rows.values_list("taken_at", "follower_count"):
        x.append(_epoch(taken_at))
        followers.append(follower_count)
    return Series("Followers", x, {"Followers": followers})


def account_video_list(*, account_id: int, order: str) -> QuerySet[TikTokVideo]:
    """The account's videos with their latest counts, sorted by ``order`` (a
    key of ``VIDEO_ORDERINGS``, ``-`` first for descending; unknown keys sort
    newest first)."""
    descending = order.startswith("-")
    field_name = VIDEO_ORDERINGS.get(order.lstrip("-"))
    if field_name is None:
        ordering = "-created_on_tiktok_at"
    else:
        ordering = f"-{field_name}" if descending else field_name
    return (
        TikTokVideo.objects.filter(account_id=account_id)
        .select_related("account", "publish_job__post")
        .order_by(ordering, "-pk")
    )


def video_series(
    video: TikTokVideo, snapshots: Iterable[VideoSnapshot]
) -> tuple[Series, Series]:
    """A video's curves: views, then likes, comments and shares (on a chart of
    their own: they are a hundredth of the views and would look flat)."""
    x: list[int] = []
    views: list[int] = []
    engagement: dict[str, list[int]] = {"Likes": [], "Comments": [], "Shares": []}
    for snapshot in snapshots:
        x.append(_epoch(snapshot.taken_at))
        views.append(snapshot.view_count)
        engagement["Likes"].append(snapshot.like_count)
        engagement["Comments"].append(snapshot.comment_count)
        engagement["Shares"].append(snapshot.share_count)
    return (
        Series("Views", x, {"Views": views}),
        Series("Engagement", list(x), engagement),
    )


@dataclass(frozen=True, slots=True)
class TargetCurves:
    """One target of a post (a publish job) and its videos with their
    (views, engagement) curves."""

    job: PublishJob
    videos: list[tuple[TikTokVideo, tuple[Series, Series]]] = field(
        default_factory=list
    )


def post_target_curves(*, post_id: int) -> list[TargetCurves]:
    """Each publish job of the post with its linked videos' curves since
    publishing. Three queries whatever the number of targets and samples."""
    snapshots = Prefetch(
        "snapshots", queryset=VideoSnapshot.objects.order_by("taken_at")
    )
    videos = Prefetch(
        "videos",
        queryset=TikTokVideo.objects.select_related("account")
        .prefetch_related(snapshots)
        .order_by("created_on_tiktok_at"),
    )
    jobs = (
        PublishJob.objects.filter(post_id=post_id)
        .select_related("account", "post")
        .prefetch_related(videos)
        .order_by("account__username", "pk")
    )
    return [
        TargetCurves(
            job=job,
            videos=[
                (video, video_series(video, video.snapshots.all()))
                for video in job.videos.all()
            ],
        )
        for job in jobs
    ]


def workspace_top_videos(
    *, workspace_ids: Collection[int] | None, now: datetime, limit: int = 5
) -> list[TikTokVideo]:
    """The week's most-viewed videos of the workspaces' accounts (all
    workspaces when ``workspace_ids`` is None)."""
    videos = TikTokVideo.objects.filter(
        created_on_tiktok_at__gte=now - timedelta(days=7)
    )
    if workspace_ids is not None:
        videos = videos.filter(account__workspace_id__in=workspace_ids)
    return list(
        videos.select_related("account", "publish_job__post").order_by(
            "-latest_view_count", "-pk"
        )[:limit]
    )


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Average views 24 hours after posting, by weekday (rows, Monday first)
    and hour (columns) of posting in ``time_zone``; ``levels`` holds 0 to 5
    per cell for shading, ``None`` where no post was made. ``post_count`` is
    how many posts it is drawn from."""

    rows: list[tuple[str, list[tuple[int | None, int]]]]
    post_count: int


def workspace_heatmap(
    *, workspace_ids: Collection[int] | None, time_zone: tzinfo
) -> Heatmap:
    """The heatmap of the workspaces' own posts (those Postdeck published),
    from the first snapshot at least 24 h after each was posted (the sampling
    schedule takes one then). One query."""
    snapshots = VideoSnapshot.objects.filter(
        video__publish_job__isnull=False,
        taken_at__gte=F("video__created_on_tiktok_at") + timedelta(hours=24),
        taken_at__lte=F("video__created_on_tiktok_at")
        + timedelta(hours=24)
        + HEATMAP_TOLERANCE,
    )
    if workspace_ids is not None:
        snapshots = snapshots.filter(video__account__workspace_id__in=workspace_ids)
    first_by_video: dict[int, tuple[datetime, int]] = {}
    for video_id, created_at, views in snapshots.order_by("taken_at").values_list(
        "video_id", "video__created_on_tiktok_at", "view_count"
    ):
        first_by_video.setdefault(video_id, (created_at, views))
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for created_at, views in first_by_video.values():
        local = created_at.astimezone(time_zone)
        cells[(local.weekday(), local.hour)].append(views)
    averages = {key: sum(values) // len(values) for key, values in cells.items()}
    top = max(averages.values(), default=0)
    rows = []
    for day, name in enumerate(WEEKDAYS):
        row: list[tuple[int | None, int]] = []
        for hour in range(24):
            average = averages.get((day, hour))
            level = 0 if average is None or top == 0 else 1 + (4 * average) // top
            row.append((average, level))
        rows.append((name, row))
    return Heatmap(rows=rows, post_count=len(first_by_video))
