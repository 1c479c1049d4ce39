"""Cover images that never show broken: TikTok's cover_image_url works for about
6 hours after it is handed out (docs/tiktok.md §3.4), and video/query renews it
(§3.3). A cover older than ``REFRESH_AFTER`` is renewed before it is shown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from tiktok_integration.analytics.sync import VIDEO_FIELDS, analytics_videos_store
from tiktok_integration.client.facts import (
    COVER_URL_TTL_SECONDS,
    MAX_VIDEOS_PER_REQUEST,
)
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


def analytics_covers_refresh(
    *, videos: Iterable[TikTokVideo], now: datetime | None = None
) -> int:
    """Renew the stale covers among ``videos`` (rows with ``account``
    selected) before a page shows them: one video/query per 20 videos of an
    account (§3.3), connected accounts only. Returns the calls made.

    Raises ``ComeBackLaterError``, ``ReconnectRequiredError`` and
    ``TikTokError`` subclasses as ``call_as_account`` does; covers renewed
    before the error stay renewed.
    """
    now = now or timezone.now()
    stale: dict[int, list[str]] = defaultdict(list)
    for video in videos:
        if video.account.status == TikTokAccount.Status.ACTIVE and not (
            cover_is_fresh(video=video, now=now)
        ):
            stale[video.account_id].append(video.video_id)
    calls = 0
    for account_id, video_ids in stale.items():
        for start in range(0, len(video_ids), MAX_VIDEOS_PER_REQUEST):
            found = account_calls.video_query(
                account_id=account_id,
                fields=VIDEO_FIELDS,
                video_ids=video_ids[start : start + MAX_VIDEOS_PER_REQUEST],
            )
            calls += 1
            analytics_videos_store(
                account_id=account_id,
                videos={item.id: item for item in found},
                now=now,
            )
    return calls
