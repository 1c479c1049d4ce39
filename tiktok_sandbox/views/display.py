"""Display API: user info, video list and video query (docs/tiktok.md §3), plus
the small pages and images their URLs point at."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import escape

from tiktok_sandbox import links, rules
from tiktok_sandbox.errors import SandboxApiError, invalid_params
from tiktok_sandbox.models import (
    Endpoint,
    SandboxCreator,
    SandboxVideo,
)
from tiktok_sandbox.selectors import (
    sandbox_creator_follower_total,
    sandbox_creator_like_total,
    sandbox_public_videos,
    sandbox_video_metrics,
    sandbox_video_page,
    sandbox_videos_by_id,
)
from tiktok_sandbox.services.lifecycle import sandbox_creator_advance
from tiktok_sandbox.views.common import (
    Call,
    json_body,
    require_sandbox,
    resource_endpoint,
)


def _fields(request: HttpRequest, allowed: frozenset[str]) -> list[str]:
    """The required ``fields`` query parameter, even on POST."""
    names = [name.strip() for name in request.GET.get("fields", "").split(",")]
    names = [name for name in names if name]
    if not names:
        raise invalid_params("The fields query parameter is required.")
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise invalid_params(f"Unknown fields: {', '.join(unknown)}.")
    return list(dict.fromkeys(names))


def _creator(call: Call) -> SandboxCreator:
    if call.creator is None:
        raise SandboxApiError(401, "access_token_invalid", "No user for this token.")
    return call.creator


@resource_endpoint(Endpoint.USER_INFO, method="GET", scopes_any=None)
def user_info(request: HttpRequest, call: Call) -> dict[str, Any]:
    """GET /v2/user/info/?fields=…: each field needs its own scope."""
    creator = _creator(call)
    fields = _fields(request, frozenset(rules.USER_FIELD_SCOPES))
    granted = set(call.token.scopes if call.token else [])
    missing = sorted({rules.USER_FIELD_SCOPES[name] for name in fields} - granted)
    if missing:
        raise SandboxApiError(
            400,
            "scope_permission_missed",
            f"The fields need scopes the user did not grant: {', '.join(missing)}.",
        )
    now = timezone.now()
    values: dict[str, Any] = {
        "open_id": creator.open_id,
        "union_id": creator.union_id,
        "avatar_url": links.avatar_url(creator, size=168),
        "avatar_url_100": links.avatar_url(creator, size=100),
        "avatar_large_url": links.avatar_url(creator, size=1080),
        "display_name": creator.nickname,
        "bio_description": creator.bio_description,
        "profile_deep_link": links.profile_url(creator),
        "is_verified": creator.is_verified,
        "username": creator.username,
        "follower_count": sandbox_creator_follower_total(creator=creator, now=now),
        "following_count": creator.following_count,
    }
    if "likes_count" in fields:
        values["likes_count"] = sandbox_creator_like_total(creator=creator, now=now)
    if "video_count" in fields:
        values["video_count"] = sandbox_public_videos(creator=creator).count()
    return {"user": {name: values[name] for name in fields}}


def _video_json(video: SandboxVideo, fields: list[str]) -> dict[str, Any]:
    metrics = sandbox_video_metrics(video=video)
    values: dict[str, Any] = {
        "id": video.video_id,
        "create_time": int(video.posted_at.timestamp()),
        "cover_image_url": links.cover_url(video),
        "share_url": links.video_page_url(video),
        "video_description": video.video_description[:150],
        "duration": video.duration,
        "height": video.height,
        "width": video.width,
        "title": video.title[:150],
        "embed_html": links.embed_html(video),
        "embed_link": links.video_page_url(video),
        "like_count": metrics.like_count,
        "comment_count": metrics.comment_count,
        "share_count": metrics.share_count,
        "view_count": metrics.view_count,
    }
    return {name: values[name] for name in fields}


@resource_endpoint(
    Endpoint.VIDEO_LIST, method="POST", scopes_any=frozenset({rules.VIDEO_LIST})
)
def video_list(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/video/list/?fields=…: public videos, newest first; the cursor
    is in milliseconds."""
    creator = _creator(call)
    fields = _fields(request, rules.VIDEO_FIELDS)
    body = json_body(request, error=invalid_params)
    cursor = body.get("cursor")
    max_count = body.get("max_count", rules.VIDEO_LIST_DEFAULT_COUNT)
    if cursor is not None and (isinstance(cursor, bool) or not isinstance(cursor, int)):
        raise invalid_params("cursor must be an integer (UTC milliseconds).")
    if isinstance(max_count, bool) or not isinstance(max_count, int):
        raise invalid_params("max_count must be an integer.")
    if not 1 <= max_count <= rules.MAX_VIDEOS_PER_REQUEST:
        raise invalid_params(
            f"max_count must be between 1 and {rules.MAX_VIDEOS_PER_REQUEST}."
        )
    sandbox_creator_advance(creator=creator)
    videos, has_more = sandbox_video_page(
        creator=creator, before_ms=cursor, max_count=max_count
    )
    next_cursor = (
        int(videos[-1].posted_at.timestamp() * 1000) if videos else (cursor or 0)
    )
    return {
        "videos": [_video_json(video, fields) for video in videos],
        "cursor": next_cursor,
        "has_more": has_more,
    }


@resource_endpoint(
    Endpoint.VIDEO_QUERY, method="POST", scopes_any=frozenset({rules.VIDEO_LIST})
)
def video_query(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/video/query/?fields=…: up to 20 of the user's own video ids."""
    creator = _creator(call)
    fields = _fields(request, rules.VIDEO_FIELDS)
    body = json_body(request, error=invalid_params)
    filters = body.get("filters")
    video_ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if (
        not isinstance(video_ids, list)
        or not video_ids
        or not all(isinstance(video_id, str) for video_id in video_ids)
    ):
        raise invalid_params("filters.video_ids must list video id strings.")
    if len(video_ids) > rules.MAX_VIDEOS_PER_REQUEST:
        raise invalid_params(
            f"filters.video_ids holds at most {rules.MAX_VIDEOS_PER_REQUEST} ids."
        )
    sandbox_creator_advance(creator=creator)
    videos = sandbox_videos_by_id(creator=creator, video_ids=video_ids)
    return {
        "videos": [_video_json(video, fields) for video in videos],
        "cursor": 0,
        "has_more": False,
    }


# --- pages and images the API's URLs point at -----------------------------------


def _colour(seed: str) -> str:
    return "#" + hashlib.sha256(seed.encode()).hexdigest()[:6]


def _svg(*, text: str, colour: str, size: int) -> HttpResponse:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100"><rect width="100" height="100" fill="{colour}"/>'
        '<text x="50" y="62" font-size="36" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{escape(text)}</text></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=3600"
    return response


@require_sandbox
def avatar(request: HttpRequest, username: str) -> HttpResponse:
    creator = get_object_or_404(SandboxCreator, username=username)
    size = request.GET.get("size", "168")
    pixels = int(size) if size.isdigit() and 0 < int(size) <= 2048 else 168
    initials = "".join(part[:1] for part in creator.nickname.split()[:2]).upper()
    return _svg(text=initials or "?", colour=_colour(creator.open_id), size=pixels)


@require_sandbox
def cover(request: HttpRequest, video_id: str) -> HttpResponse:
    """The cover image; 403 once its signed link has expired (§3.4)."""
    video = get_object_or_404(SandboxVideo, video_id=video_id)
    if not links.cover_url_is_valid(
        video_id=video.video_id,
        expires=request.GET.get("expires", ""),
        signature=request.GET.get("signature", ""),
    ):
        return HttpResponse(
            "This cover link has expired.", status=403, content_type="text/plain"
        )
    response = _svg(text="▶", colour=_colour(video.video_id), size=540)
    response["Cache-Control"] = "private, max-age=600"
    return response


@require_sandbox
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """A short share link: 302 to the public video's page."""
    video_id = links.video_id_of_short_code(code)
    video = get_object_or_404(
        SandboxVideo.objects.select_related("creator"),
        video_id=video_id,
        publicly_available_at__isnull=False,
    )
    response = HttpResponse(status=302)
    response["Location"] = links.video_page_url(video)
    return response


@require_sandbox
def profile(request: HttpRequest, username: str) -> HttpResponse:
    creator = get_object_or_404(SandboxCreator, username=username)
    videos = [
        {"video": video, "url": links.video_page_url(video)}
        for video in sandbox_public_videos(creator=creator)[:50]
    ]
    context = {
        "creator": creator,
        "avatar_url": links.avatar_url(creator, size=100),
        "videos": videos,
    }
    return render(request, "tiktok_sandbox/profile.html", context)


@require_sandbox
def video_page(request: HttpRequest, username: str, video_id: str) -> HttpResponse:
    video = get_object_or_404(
        SandboxVideo.objects.select_related("creator"),
        video_id=video_id,
        creator__username=username,
    )
    if video.publicly_available_at is None:
        raise Http404("This video is not public.")
    context = {
        "video": video,
        "creator": video.creator,
        "cover_url": links.cover_url(video),
        "profile_url": links.profile_url(video.creator),
        "metrics": sandbox_video_metrics(video=video),
        "short_url": links.short_url(video),
    }
    return render(request, "tiktok_sandbox/video.html", context)
