"""Cover images that never show broken: TikTok's cover_image_url works for about
6 hours after it is handed out (docs/tiktok.md §3.4), and video/query renews it
(§3.3). A cover older than ``REFRESH_AFTER`` is renewed before it is shown."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tiktok_integration.analytics.sync import VIDEO_FIELDS, analytics_videos_store
from tiktok_integration.client.facts import COVER_URL_TTL_SECONDS
from tiktok_integration.gateway import account_calls
from tiktok_integration.models import TikTokAccount, TikTokVideo

#: Renew with an hour to spare, so a page left open keeps working images.
REFRESH_AFTER = timedelta(seconds=COVER_URL_TTL_SECONDS) - timedelta(hours=1)


def cover_is_fresh(*, video: TikTokVideo, now: datetime) -> bool:
    """Whether the stored cover URL will still work for the next hour."""
    return bool(
        video.cover_image_url
        and video.cover_fetched_at is not None
        and now - video.cover_fetched_at < REFRESH_AFTER
    )


def analytics_video_cover_url(*, video_pk: int, now: datetime | None = None) -> str:
    """A working cover URL for the video, renewed through video/query when
    the stored one is near its expiry (one Display call, counted in the
    app-wide window). Returns "" when TikTok no longer returns the video or
    the account is not connected.

    Raises ``ComeBackLaterError``, ``ReconnectRequiredError`` and
    ``TikTokError`` subclasses as ``call_as_account`` does.
    """
    now = now or timezone.now()
    video = TikTokVideo.objects.select_related("account").get(pk=video_pk)
    if cover_is_fresh(video=video, now=now):
        return video.cover_image_url
    if video.account.status != TikTokAccount.Status.ACTIVE:
        return ""
    found = account_calls.video_query(
        account_id=video.account_id, fields=VIDEO_FIELDS, video_ids=[video.video_id]
    )
    if not found:
        return ""
    analytics_videos_store(
        account_id=video.account_id, videos={item.id: item for item in found}, now=now
    )
    video.refresh_from_db(fields=["cover_image_url"])
    return video.cover_image_url
