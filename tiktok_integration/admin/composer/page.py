"""What the composer page shows: the post's fields, the accounts and media of
its workspace, the time zones, and the values to start from (a new post, the
post being edited, or the form sent back with its errors)."""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from cms.models import Post
from cms.scheduling import describe_offset
from media_library.models import MediaAsset
from tiktok_integration.admin.composer.submission import LATER, NOW, target_prefix
from tiktok_integration.composer import DIRECT
from tiktok_integration.models import PublishJob, TikTokAccount
from workspaces.models import Workspace

#: Most recent TikTok-ready media offered in the chooser.
MEDIA_CHOICES = 60
TARGET_FIELDS = (
    "mode",
    "privacy_level",
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "brand_organic",
    "brand_content",
)


@dataclass(frozen=True, slots=True)
class MediaChoice:
    asset: MediaAsset
    url: str
    thumbnail_url: str
    duration_ms: int | None
    checked: bool


@lru_cache(maxsize=4)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def zone_choices(selected: str) -> list[tuple[str, str]]:
    """Every IANA zone as (name, "Name (UTC+01:00)"), offsets as of now."""
    now = timezone.now()
    names = _zone_names()
    if selected and selected not in names:
        names = (selected, *names)
    return [(name, f"{name} ({_offset(now, name)})") for name in names]


def _offset(moment: datetime, name: str) -> str:
    try:
        return describe_offset(moment, name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return "unknown zone"


def account_list(workspace: Workspace) -> list[TikTokAccount]:
    """The workspace's accounts that are still connected, by username."""
    return list(
        TikTokAccount.objects.filter(workspace=workspace)
        .exclude(status=TikTokAccount.Status.DISCONNECTED)
        .order_by("username", "pk")
    )


def media_choices(workspace: Workspace, checked: tuple[int, ...]) -> list[MediaChoice]:
    """The workspace's TikTok-ready videos and photos (newest first), plus any
    already chosen; each with its members-only URL (media_library.views)."""
    assets = list(
        MediaAsset.objects.filter(workspace=workspace, is_tiktok_ready=True).order_by(
            "-created_at", "-pk"
        )[:MEDIA_CHOICES]
    )
    missing = set(checked) - {asset.pk for asset in assets}
    if missing:
        assets += list(MediaAsset.objects.filter(workspace=workspace, pk__in=missing))
    order = {asset_id: index for index, asset_id in enumerate(checked)}
    assets.sort(key=lambda asset: (order.get(asset.pk, len(order)), -asset.pk))
    return [
        MediaChoice(
            asset=asset,
            url=asset.file.url if asset.file else "",
            thumbnail_url=asset.thumbnail.url if asset.thumbnail else "",
            duration_ms=None
            if asset.duration_seconds is None
            else round(asset.duration_seconds * 1000),
            checked=asset.pk in checked,
        )
        for asset in assets
    ]


def initial_values(
    *, workspace: Workspace, post: Post | None, account_ids: tuple[int, ...]
) -> dict[str, Any]:
    """A new post (``account_ids`` pre-chosen), or the post being edited."""
    values: dict[str, Any] = {
        "title": "",
        "caption": "",
        "photo_title": "",
        "media_ids": (),
        "targets": account_ids,
        "target_values": {},
        "when": NOW,
        "when_date": "",
        "when_time": "",
        "time_zone": workspace.time_zone,
        "is_aigc": False,
        "cover_timestamp_ms": "",
        "photo_cover_index": 0,
        "fold": "",
        # One per new-post form, so sending it twice writes one post.
        "submit_key": str(uuid.uuid4()) if post is None else "",
    }
    if post is None:
        return values
    jobs = list(
        PublishJob.objects.filter(post=post)
        .exclude(status=PublishJob.Status.CANCELLED)
        .order_by("pk")
    )
    values.update(
        title=post.title,
        caption=post.caption,
        media_ids=tuple(
            post.post_media.order_by("position").values_list("asset_id", flat=True)
        ),
        targets=tuple(job.account_id for job in jobs),
        target_values={
            str(job.account_id): {
                **{name: getattr(job, name) for name in TARGET_FIELDS},
                "disclose": job.brand_organic or job.brand_content,
            }
            for job in jobs
        },
        time_zone=post.time_zone or workspace.time_zone,
        fold=post.scheduled_fold,
    )
    if jobs:
        first = jobs[0]
        values.update(
            is_aigc=first.is_aigc,
            cover_timestamp_ms=""
            if first.cover_timestamp_ms is None
            else first.cover_timestamp_ms,
            photo_cover_index=first.photo_cover_index,
            photo_title=first.photo_title,
        )
    wall = post.scheduled_wall_time
    if wall is not None:
        values.update(
            when=LATER,
            when_date=wall.date().isoformat(),
            when_time=wall.strftime("%H:%M"),
        )
    return values


def submitted_values(data: QueryDict) -> dict[str, Any]:
    """The values the user sent, to show the form again with its errors."""
    targets = tuple(int(raw) for raw in data.getlist("targets") if raw.isdigit())
    target_values = {}
    for account_id in targets:
        prefix = target_prefix(account_id)
        chosen: dict[str, Any] = {
            name: data.get(prefix + name) or "" for name in TARGET_FIELDS
        }
        for name in ("allow_comment", "allow_duet", "allow_stitch"):
            chosen[name] = bool(chosen[name])
        chosen["disclose"] = bool(data.get(prefix + "disclose"))
        chosen["brand_organic"] = bool(chosen["brand_organic"])
        chosen["brand_content"] = bool(chosen["brand_content"])
        chosen["mode"] = chosen["mode"] or DIRECT
        target_values[str(account_id)] = chosen
    return {
        "title": data.get("title", ""),
        "caption": data.get("caption", ""),
        "photo_title": data.get("photo_title", ""),
        "media_ids": tuple(
            int(raw) for raw in data.getlist("media_ids") if raw.isdigit()
        ),
        "targets": targets,
        "target_values": target_values,
        "when": data.get("when") or NOW,
        "when_date": data.get("when_date", ""),
        "when_time": data.get("when_time", ""),
        "time_zone": data.get("time_zone", ""),
        "is_aigc": bool(data.get("is_aigc")),
        "cover_timestamp_ms": data.get("cover_timestamp_ms", ""),
        "photo_cover_index": data.get("photo_cover_index") or 0,
        "fold": data.get("fold", ""),
        "submit_key": data.get("submit_key", ""),
    }
