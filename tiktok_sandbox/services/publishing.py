"""Creator info and the three init endpoints, with every check TikTok makes.

Request shape problems answer 400 invalid_param; account and app state answer
403 with TikTok's code (docs/tiktok.md §4.2-§4.5, §5.1, §6).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from tiktok_sandbox import links, rules
from tiktok_sandbox.errors import SandboxApiError, invalid_param
from tiktok_sandbox.models import (
    SandboxCreator,
    SandboxPublish,
    SandboxSettings,
    new_numeric_id,
)
from tiktok_sandbox.services.defaults import sandbox_settings_get
from tiktok_sandbox.services.tokens import hash_secret

DAY: Final = timedelta(seconds=rules.CAP_WINDOW_SECONDS)
UPLOAD_URL_TTL: Final = timedelta(seconds=rules.UPLOAD_URL_LIFETIME_SECONDS)

VIDEO_POST_BOOLS: Final = (
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)
PHOTO_POST_BOOLS: Final = (
    "disable_comment",
    "auto_add_music",
    "brand_content_toggle",
    "brand_organic_toggle",
)
_PUBLISH_ID_PREFIXES: Final[Mapping[tuple[str, str, str], str]] = {
    ("direct", "VIDEO", "FILE_UPLOAD"): "v_pub_file~v2-1.",
    ("direct", "VIDEO", "PULL_FROM_URL"): "v_pub_url~v2-1.",
    ("inbox", "VIDEO", "FILE_UPLOAD"): "v_inbox_file~v2.",
    ("inbox", "VIDEO", "PULL_FROM_URL"): "v_inbox_url~v2.",
    ("direct", "PHOTO", "PULL_FROM_URL"): "p_pub_url~v2.",
    ("inbox", "PHOTO", "PULL_FROM_URL"): "p_inbox_url~v2.",
}
_PENDING: Final = (
    SandboxPublish.Status.PROCESSING_UPLOAD,
    SandboxPublish.Status.PROCESSING_DOWNLOAD,
    SandboxPublish.Status.SEND_TO_USER_INBOX,
)


@dataclass(frozen=True, slots=True)
class InitResult:
    publish: SandboxPublish
    upload_url: str | None

    def as_data(self) -> dict[str, str]:
        data = {"publish_id": self.publish.publish_id}
        if self.upload_url is not None:
            data["upload_url"] = self.upload_url
        return data


@dataclass(frozen=True, slots=True)
class _Source:
    source: str
    video_size: int | None = None
    chunk_size: int | None = None
    total_chunk_count: int | None = None
    urls: tuple[str, ...] = ()


# --- creator_info ---------------------------------------------------------------


def sandbox_creator_info(
    *, creator: SandboxCreator, now: datetime | None = None
) -> dict[str, Any]:
    """creator_info's data. A creator who cannot post now gets HTTP 200 with an
    error code, on purpose (docs/tiktok.md §4.2): raises SandboxApiError(200, …)."""
    now = now or timezone.now()
    app = sandbox_settings_get()
    if creator.is_banned_from_posting:
        raise _banned(http_status=200)
    _check_active_user_cap(creator=creator, app=app, now=now, http_status=200)
    _check_daily_cap(creator=creator, now=now, http_status=200)
    is_private = creator.is_private_account
    return {
        "creator_avatar_url": links.avatar_url(creator, size=168),
        "creator_username": creator.username,
        "creator_nickname": creator.nickname,
        "privacy_level_options": _privacy_options(creator, app),
        "comment_disabled": creator.is_comment_disabled,
        "duet_disabled": creator.is_duet_disabled or is_private,
        "stitch_disabled": creator.is_stitch_disabled or is_private,
        "max_video_post_duration_sec": creator.max_video_post_duration_sec,
    }


# --- init endpoints -------------------------------------------------------------


def sandbox_init_direct_video(
    *, creator: SandboxCreator, body: Mapping[str, Any], now: datetime | None = None
) -> InitResult:
    """POST /v2/post/publish/video/init/. Raises SandboxApiError."""
    now = now or timezone.now()
    app = sandbox_settings_get()
    post_info = _object(body, "post_info")
    privacy = _privacy_level(post_info)
    _text(post_info, "title", rules.VIDEO_TITLE_MAX)
    _bools(post_info, VIDEO_POST_BOOLS)
    if "video_cover_timestamp_ms" in post_info:
        _integer(post_info, "video_cover_timestamp_ms", minimum=None)
    source = _video_source(_object(body, "source_info"))
    _check_direct_post(creator=creator, app=app, privacy=privacy, now=now)
    _check_urls(source.urls, app)
    _check_active_user_cap(creator=creator, app=app, now=now, http_status=403)
    _check_daily_cap(creator=creator, now=now, http_status=403)
    return _create(
        creator=creator,
        flow=SandboxPublish.Flow.DIRECT,
        media_type=SandboxPublish.MediaType.VIDEO,
        source=source,
        post_info=dict(post_info),
        source_info=dict(_object(body, "source_info")),
        privacy=privacy,
        app=app,
        now=now,
    )


def sandbox_init_inbox_video(
    *, creator: SandboxCreator, body: Mapping[str, Any], now: datetime | None = None
) -> InitResult:
    """POST /v2/post/publish/inbox/video/init/: ``source_info`` only (a
    ``post_info`` is ignored, as no such field is documented). Raises
    SandboxApiError."""
    now = now or timezone.now()
    app = sandbox_settings_get()
    source_info = _object(body, "source_info")
    source = _video_source(source_info)
    if creator.is_banned_from_posting:
        raise _banned(http_status=403)
    _check_urls(source.urls, app)
    _check_pending_shares(creator=creator, now=now)
    return _create(
        creator=creator,
        flow=SandboxPublish.Flow.INBOX,
        media_type=SandboxPublish.MediaType.VIDEO,
        source=source,
        post_info={},
        source_info=dict(source_info),
        privacy="",
        app=app,
        now=now,
    )


def sandbox_init_content(
    *,
    creator: SandboxCreator,
    scopes: Iterable[str],
    body: Mapping[str, Any],
    now: datetime | None = None,
) -> InitResult:
    """POST /v2/post/publish/content/init/ (photos, PULL_FROM_URL only). The
    scope needed depends on post_mode. Raises SandboxApiError."""
    now = now or timezone.now()
    app = sandbox_settings_get()
    if body.get("media_type") != "PHOTO":
        raise invalid_param("media_type must be PHOTO.")
    post_mode = body.get("post_mode")
    if post_mode not in ("DIRECT_POST", "MEDIA_UPLOAD"):
        raise invalid_param("post_mode must be DIRECT_POST or MEDIA_UPLOAD.")
    is_direct = post_mode == "DIRECT_POST"
    needed = rules.VIDEO_PUBLISH if is_direct else rules.VIDEO_UPLOAD
    if needed not in set(scopes):
        raise SandboxApiError(
            401, "scope_not_authorized", f"The user did not authorize {needed}."
        )
    post_info = _object(body, "post_info") if is_direct else _optional_object(body)
    _text(post_info, "title", rules.PHOTO_TITLE_MAX)
    _text(post_info, "description", rules.PHOTO_DESCRIPTION_MAX)
    _bools(post_info, PHOTO_POST_BOOLS)
    privacy = _privacy_level(post_info) if is_direct else ""
    source_info = _object(body, "source_info")
    source = _photo_source(source_info)
    if not is_direct and creator.has_outdated_app:
        raise SandboxApiError(
            400,
            "app_version_check_failed",
            "The creator's TikTok app is too old for photo drafts (31.8 needed).",
        )
    if is_direct:
        _check_direct_post(creator=creator, app=app, privacy=privacy, now=now)
    elif creator.is_banned_from_posting:
        raise _banned(http_status=403)
    _check_urls(source.urls, app)
    if is_direct:
        _check_active_user_cap(creator=creator, app=app, now=now, http_status=403)
        _check_daily_cap(creator=creator, now=now, http_status=403)
    else:
        _check_pending_shares(creator=creator, now=now)
    return _create(
        creator=creator,
        flow=SandboxPublish.Flow.DIRECT if is_direct else SandboxPublish.Flow.INBOX,
        media_type=SandboxPublish.MediaType.PHOTO,
        source=source,
        post_info=dict(post_info),
        source_info=dict(source_info),
        privacy=privacy,
        app=app,
        now=now,
    )


def _create(
    *,
    creator: SandboxCreator,
    flow: str,
    media_type: str,
    source: _Source,
    post_info: dict[str, Any],
    source_info: dict[str, Any],
    privacy: str,
    app: SandboxSettings,
    now: datetime,
) -> InitResult:
    prefix = _PUBLISH_ID_PREFIXES[(flow, media_type, source.source)]
    publish = SandboxPublish(
        publish_id=prefix + new_numeric_id(),
        creator=creator,
        flow=flow,
        media_type=media_type,
        source=source.source,
        post_info=post_info,
        source_info=source_info,
        privacy_level=privacy,
        created_at=now,
    )
    upload: str | None = None
    if source.source == SandboxPublish.Source.FILE_UPLOAD:
        upload_id = uuid.uuid4()
        upload_token = secrets.token_urlsafe(24)
        publish.status = SandboxPublish.Status.PROCESSING_UPLOAD
        publish.video_size = source.video_size
        publish.chunk_size = source.chunk_size
        publish.total_chunk_count = source.total_chunk_count
        publish.upload_id = upload_id
        publish.upload_token_hash = hash_secret(upload_token)
        publish.upload_url_expires_at = now + UPLOAD_URL_TTL
        upload = links.upload_url(upload_id=upload_id.hex, upload_token=upload_token)
    else:
        publish.status = SandboxPublish.Status.PROCESSING_DOWNLOAD
        # The download "runs" for the processing delay, then completes.
        publish.processing_due_at = now + timedelta(
            seconds=app.processing_delay_seconds
        )
    publish.save()
    return InitResult(publish=publish, upload_url=upload)


# --- account and app checks -----------------------------------------------------


def _privacy_options(creator: SandboxCreator, app: SandboxSettings) -> list[str]:
    return rules.privacy_level_options(
        is_private_account=creator.is_private_account,
        is_audited=app.is_audited,
        override=creator.privacy_level_options or [],
    )


def _check_direct_post(
    *, creator: SandboxCreator, app: SandboxSettings, privacy: str, now: datetime
) -> None:
    if creator.is_banned_from_posting:
        raise _banned(http_status=403)
    if not app.is_audited and not creator.is_private_account:
        raise SandboxApiError(
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to a private account.",
        )
    if privacy not in _privacy_options(creator, app):
        raise SandboxApiError(
            403,
            "privacy_level_option_mismatch",
            f"privacy_level {privacy} is not one of the creator's options.",
        )


def _banned(*, http_status: int) -> SandboxApiError:
    return SandboxApiError(
        http_status,
        "spam_risk_user_banned_from_posting",
        "The user is banned from making new posts.",
    )


def _check_daily_cap(
    *, creator: SandboxCreator, now: datetime, http_status: int
) -> None:
    posts = (
        SandboxPublish.objects.filter(
            creator=creator, flow=SandboxPublish.Flow.DIRECT, created_at__gt=now - DAY
        )
        .exclude(status=SandboxPublish.Status.FAILED)
        .count()
    )
    if posts >= creator.daily_post_cap:
        raise SandboxApiError(
            http_status,
            "spam_risk_too_many_posts",
            "The daily post cap from the API is reached for the current user.",
        )


def _check_pending_shares(*, creator: SandboxCreator, now: datetime) -> None:
    pending = SandboxPublish.objects.filter(
        creator=creator,
        flow=SandboxPublish.Flow.INBOX,
        created_at__gt=now - DAY,
        status__in=_PENDING,
    ).count()
    if pending >= rules.PENDING_SHARE_CAP:
        raise SandboxApiError(
            403,
            "spam_risk_too_many_pending_share",
            "The user has too many pending shares in the last 24 hours.",
        )


def _check_active_user_cap(
    *, creator: SandboxCreator, app: SandboxSettings, now: datetime, http_status: int
) -> None:
    caps = [app.active_user_cap] if app.active_user_cap is not None else []
    if not app.is_audited:
        caps.append(rules.UNAUDITED_ACTIVE_USER_CAP)
    if not caps:
        return
    active = set(
        SandboxPublish.objects.filter(created_at__gt=now - DAY)
        .values_list("creator_id", flat=True)
        .distinct()
    )
    if creator.pk not in active and len(active) >= min(caps):
        raise SandboxApiError(
            http_status,
            "reached_active_user_cap",
            "The client has reached its cap of active posting users for today.",
        )


def _verified_prefixes(app: SandboxSettings) -> list[str]:
    prefixes = [str(entry) for entry in app.verified_url_prefixes or []]
    if app.is_own_media_url_verified:
        media = settings.MEDIA_URL
        prefixes.append(media if "://" in media else f"{settings.BASE_URL}{media}")
        # Postdeck's own pull prefix, where it serves media of posts in flight.
        prefixes.append(f"{settings.BASE_URL}/{settings.TIKTOK_PULL_MEDIA_PATH}")
    return prefixes


def _check_urls(urls: Iterable[str], app: SandboxSettings) -> None:
    prefixes = _verified_prefixes(app)
    for url in urls:
        if not rules.url_is_verified(url, prefixes):
            raise SandboxApiError(
                403,
                "url_ownership_unverified",
                "The media URL is not under a verified domain or URL prefix.",
            )


# --- request shape --------------------------------------------------------------


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise invalid_param(f"{key} is required and must be an object.")
    return value


def _optional_object(body: Mapping[str, Any]) -> Mapping[str, Any]:
    value = body.get("post_info", {})
    if not isinstance(value, dict):
        raise invalid_param("post_info must be an object.")
    return value


def _privacy_level(post_info: Mapping[str, Any]) -> str:
    privacy = post_info.get("privacy_level")
    if privacy not in rules.PRIVACY_LEVELS:
        raise invalid_param(
            "post_info.privacy_level is required and must be one of "
            + ", ".join(rules.PRIVACY_LEVELS)
            + "."
        )
    return str(privacy)


def _text(post_info: Mapping[str, Any], key: str, limit: int) -> None:
    if key not in post_info:
        return
    value = post_info[key]
    if not isinstance(value, str):
        raise invalid_param(f"post_info.{key} must be a string.")
    length = rules.utf16_length(value)
    if length > limit:
        raise invalid_param(
            f"post_info.{key} is {length} UTF-16 code units; the limit is {limit}."
        )


def _bools(post_info: Mapping[str, Any], keys: Iterable[str]) -> None:
    for key in keys:
        if key in post_info and not isinstance(post_info[key], bool):
            raise invalid_param(f"post_info.{key} must be a boolean.")


def _integer(container: Mapping[str, Any], key: str, *, minimum: int | None) -> int:
    value = container.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_param(f"{key} must be an integer.")
    if minimum is not None and value < minimum:
        raise invalid_param(f"{key} must be at least {minimum}.")
    return value


def _video_source(source_info: Mapping[str, Any]) -> _Source:
    source = source_info.get("source")
    if source == SandboxPublish.Source.FILE_UPLOAD:
        video_size = _integer(source_info, "video_size", minimum=1)
        chunk_size = _integer(source_info, "chunk_size", minimum=1)
        total = _integer(source_info, "total_chunk_count", minimum=1)
        problem = rules.chunk_plan_problem(
            video_size=video_size, chunk_size=chunk_size, total_chunk_count=total
        )
        if problem:
            raise invalid_param(problem)
        return _Source(source, video_size, chunk_size, total)
    if source == SandboxPublish.Source.PULL_FROM_URL:
        return _Source(source, urls=(_url(source_info.get("video_url"), "video_url"),))
    raise invalid_param("source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")


def _photo_source(source_info: Mapping[str, Any]) -> _Source:
    if source_info.get("source") != SandboxPublish.Source.PULL_FROM_URL:
        raise invalid_param("Photos support only source PULL_FROM_URL.")
    images = source_info.get("photo_images")
    if not isinstance(images, list) or not 1 <= len(images) <= rules.MAX_PHOTO_IMAGES:
        raise invalid_param(
            f"photo_images must list 1 to {rules.MAX_PHOTO_IMAGES} image URLs."
        )
    urls = tuple(_url(image, "photo_images[]") for image in images)
    cover = _integer(source_info, "photo_cover_index", minimum=0)
    if cover >= len(urls):
        raise invalid_param("photo_cover_index is outside photo_images.")
    return _Source(SandboxPublish.Source.PULL_FROM_URL, urls=urls)


def _url(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise invalid_param(f"{name} must be a URL.")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_param(f"{name} must be an absolute https URL.")
    return value
