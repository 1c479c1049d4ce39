"""Sync one account's numbers from TikTok's Display API (docs/tiktok.md §3).

A sync makes the fewest calls pagination and batching allow:

1. ``user/info`` once for the profile counts, when ``user.info.stats`` was
   granted (§3.1);
2. ``video/list`` newest first, 20 a page (§3.2), until the end, or (after
   the first sync) until a page reaches videos already known, or ``since``;
3. ``video/query`` for known videos whose snapshot is due but that the pages
   did not reach, 20 ids a call (§3.3).

So a first sync of an account with N videos costs 1 + ceil(N/20) calls.
Every call goes through the facade (``gateway.account_calls``): the app-wide
Display window of 600 a minute (§6) shared by every worker, and one refresh on
a refused token. An account without ``video.list`` is skipped and the reason is
kept on its ``AnalyticsSyncState`` for the admin to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from tiktok_integration.analytics.linking import analytics_link_account
from tiktok_integration.analytics.sampling import is_sample_due
from tiktok_integration.client import TikTokScopeError, Video
from tiktok_integration.client.facts import MAX_VIDEOS_PER_REQUEST
from tiktok_integration.gateway import account_calls
from tiktok_integration.models import (
    AccountSnapshot,
    AnalyticsSyncState,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
)

logger = logging.getLogger(__name__)

#: The Video fields a sync asks for (§3.4).
VIDEO_FIELDS: tuple[str, ...] = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "title",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
#: The profile counts (§3.1); each needs user.info.stats (§2).
STATS_FIELDS: tuple[str, ...] = (
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
)
STATS_SCOPE = "user.info.stats"
VIDEO_SCOPE = "video.list"
NO_STATS_SCOPE_REASON = (
    "The account did not grant user.info.stats, so follower counts are not "
    "synced; reconnect it and allow every requested permission."
)
NO_VIDEO_SCOPE_REASON = (
    "The account did not grant video.list, so its videos cannot be read; "
    "reconnect it and allow every requested permission."
)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one account's sync did: Display API calls made, videos described
    by TikTok, snapshots stored, links made, and why it stopped early (empty
    when it ran to the end)."""

    account_id: int
    api_calls: int = 0
    videos_seen: int = 0
    snapshots: int = 0
    links: int = 0
    skipped_reason: str = ""


def _record_state(
    *, account_id: int, api_calls: int, reason: str, now: datetime
) -> None:
    AnalyticsSyncState.objects.update_or_create(
        account_id=account_id,
        defaults={
            "last_synced_at": now,
            "last_api_calls": api_calls,
            "skipped_reason": reason,
        },
    )


def _profile(account: TikTokAccount, *, now: datetime, max_wait: float) -> None:
    info = account_calls.user_info(
        account_id=account.pk, fields=STATS_FIELDS, max_wait_seconds=max_wait
    )
    counts = {
        "follower_count": info.follower_count or 0,
        "following_count": info.following_count or 0,
        "likes_count": info.likes_count or 0,
        "video_count": info.video_count or 0,
    }
    AccountSnapshot.objects.create(account=account, taken_at=now, **counts)
    TikTokAccount.objects.filter(pk=account.pk).update(**counts)


def _created_at(video: Video, now: datetime) -> datetime:
    if video.create_time is None:
        return now
    return datetime.fromtimestamp(video.create_time, tz=UTC)


def _list_pages(
    *,
    account_id: int,
    known: set[str],
    stop_at_known: bool,
    since: datetime | None,
    now: datetime,
    max_wait: float,
) -> tuple[dict[str, Video], int]:
    """Page through video/list; returns the videos by id and the calls made."""
    seen: dict[str, Video] = {}
    calls = 0
    cursor: int | None = None
    while True:
        page = account_calls.video_list(
            account_id=account_id,
            fields=VIDEO_FIELDS,
            cursor=cursor,
            max_wait_seconds=max_wait,
        )
        calls += 1
        for video in page.videos:
            seen[video.id] = video
        if not page.has_more or not page.videos:
            break
        if stop_at_known and any(video.id in known for video in page.videos):
            break
        oldest = _created_at(page.videos[-1], now)
        if since is not None and oldest < since:
            break
        cursor = page.cursor
    return seen, calls


def _query_due(
    *, account_id: int, video_ids: list[str], max_wait: float
) -> tuple[dict[str, Video], int]:
    found: dict[str, Video] = {}
    calls = 0
    for start in range(0, len(video_ids), MAX_VIDEOS_PER_REQUEST):
        batch = video_ids[start : start + MAX_VIDEOS_PER_REQUEST]
        for video in account_calls.video_query(
            account_id=account_id,
            fields=VIDEO_FIELDS,
            video_ids=batch,
            max_wait_seconds=max_wait,
        ):
            found[video.id] = video
        calls += 1
    return found, calls


def _apply(row: TikTokVideo, video: Video, now: datetime) -> None:
    row.title = (video.title or "")[:300]
    row.description = video.video_description or ""
    row.share_url = video.share_url or row.share_url
    row.duration_seconds = video.duration or 0
    if video.cover_image_url:
        row.cover_image_url = video.cover_image_url
        row.cover_fetched_at = now
    row.latest_view_count = video.view_count or 0
    row.latest_like_count = video.like_count or 0
    row.latest_comment_count = video.comment_count or 0
    row.latest_share_count = video.share_count or 0


UPDATED_FIELDS = [
    "title",
    "description",
    "share_url",
    "duration_seconds",
    "cover_image_url",
    "cover_fetched_at",
    "latest_view_count",
    "latest_like_count",
    "latest_comment_count",
    "latest_share_count",
    "last_sampled_at",
]


def analytics_videos_store(
    *, account_id: int, videos: dict[str, Video], now: datetime
) -> int:
    """Upsert ``videos`` (TikTok's, by id) on the account and store a snapshot
    of each one whose sample is due (``sampling``). Returns the snapshots
    stored. A constant number of queries whatever the number of videos."""
    existing = {
        row.video_id: row
        for row in TikTokVideo.objects.filter(
            account_id=account_id, video_id__in=list(videos)
        )
    }
    new_rows = []
    for video_id, video in videos.items():
        row = existing.get(video_id)
        if row is None:
            row = TikTokVideo(
                account_id=account_id,
                video_id=video_id,
                created_on_tiktok_at=_created_at(video, now),
            )
            new_rows.append(row)
        _apply(row, video, now)
    with transaction.atomic():
        TikTokVideo.objects.bulk_create(new_rows)
        if any(row.pk is None for row in new_rows):
            # Backends without RETURNING leave primary keys unset; read them back.
            ids = dict(
                TikTokVideo.objects.filter(
                    account_id=account_id,
                    video_id__in=[row.video_id for row in new_rows],
                ).values_list("video_id", "pk")
            )
            for row in new_rows:
                row.pk = ids[row.video_id]
        rows = [*existing.values(), *new_rows]
        due = [
            row
            for row in rows
            if row.is_tracked
            and is_sample_due(
                created_at=row.created_on_tiktok_at,
                last_sampled_at=row.last_sampled_at,
                now=now,
            )
        ]
        VideoSnapshot.objects.bulk_create(
            VideoSnapshot(
                video_id=row.pk,
                taken_at=now,
                view_count=row.latest_view_count,
                like_count=row.latest_like_count,
                comment_count=row.latest_comment_count,
                share_count=row.latest_share_count,
            )
            for row in due
        )
        for row in due:
            row.last_sampled_at = now
        TikTokVideo.objects.bulk_update(rows, UPDATED_FIELDS, batch_size=500)
    return len(due)


def _due_unseen(account_id: int, seen: dict[str, Video], now: datetime) -> list[str]:
    rows = TikTokVideo.objects.filter(
        account_id=account_id, is_tracked=True
    ).values_list("video_id", "created_on_tiktok_at", "last_sampled_at")
    return [
        video_id
        for video_id, created_at, last_sampled_at in rows
        if video_id not in seen
        and is_sample_due(
            created_at=created_at, last_sampled_at=last_sampled_at, now=now
        )
    ]


def analytics_account_sync(
    *,
    account_id: int,
    since: datetime | None = None,
    full: bool = False,
    max_wait_seconds: float = account_calls.SLEEP_AT_MOST_SECONDS,
    now: datetime | None = None,
) -> SyncResult:
    """Sync one account: profile counts, videos, snapshots, then links.

    ``full`` pages video/list to the end even when the account's videos are
    known; ``since`` stops paging at videos created before it.
    ``max_wait_seconds``: Display-window waits up to this long are slept
    through (§6).

    Raises ``ComeBackLaterError`` (window full or breaker open; call again
    later), ``ReconnectRequiredError`` (TikTok refused the refreshed token),
    and other ``TikTokError`` subclasses. A missing scope is not an error:
    the result and the account's sync state carry the reason.
    """
    now = now or timezone.now()
    account = TikTokAccount.objects.get(pk=account_id)
    if account.status != TikTokAccount.Status.ACTIVE:
        reason = f"The account is {account.get_status_display().lower()}."
        _record_state(account_id=account_id, api_calls=0, reason=reason, now=now)
        return SyncResult(account_id=account_id, skipped_reason=reason)
    granted = set(account.granted_scopes or [])
    calls = 0
    profile_note = ""
    if STATS_SCOPE in granted:
        calls += 1
        try:
            _profile(account, now=now, max_wait=max_wait_seconds)
        except TikTokScopeError as error:
            profile_note = f"{NO_STATS_SCOPE_REASON} (TikTok: {error.code})"
    if VIDEO_SCOPE not in granted:
        _record_state(
            account_id=account_id,
            api_calls=calls,
            reason=NO_VIDEO_SCOPE_REASON,
            now=now,
        )
        return SyncResult(
            account_id=account_id, api_calls=calls, skipped_reason=NO_VIDEO_SCOPE_REASON
        )
    known = set(
        TikTokVideo.objects.filter(account_id=account_id).values_list(
            "video_id", flat=True
        )
    )
    try:
        seen, list_calls = _list_pages(
            account_id=account_id,
            known=known,
            stop_at_known=not full,
            since=since,
            now=now,
            max_wait=max_wait_seconds,
        )
        calls += list_calls
        snapshots = analytics_videos_store(account_id=account_id, videos=seen, now=now)
        queried, query_calls = _query_due(
            account_id=account_id,
            video_ids=_due_unseen(account_id, seen, now),
            max_wait=max_wait_seconds,
        )
        calls += query_calls
        snapshots += analytics_videos_store(
            account_id=account_id, videos=queried, now=now
        )
    except TikTokScopeError as error:
        reason = f"{NO_VIDEO_SCOPE_REASON} (TikTok: {error.code})"
        _record_state(account_id=account_id, api_calls=calls, reason=reason, now=now)
        return SyncResult(account_id=account_id, api_calls=calls, skipped_reason=reason)
    links = analytics_link_account(account_id=account_id)
    _record_state(account_id=account_id, api_calls=calls, reason=profile_note, now=now)
    logger.info(
        "Analytics sync of account %s: %s calls, %s videos, %s snapshots",
        account_id,
        calls,
        len(seen) + len(queried),
        snapshots,
    )
    return SyncResult(
        account_id=account_id,
        api_calls=calls,
        videos_seen=len(seen) + len(queried),
        snapshots=snapshots,
        links=links,
        skipped_reason=profile_note,
    )


def analytics_accounts_to_sync() -> list[int]:
    """Ids of the accounts a scheduled sync visits: every connected account."""
    return list(
        TikTokAccount.objects.filter(status=TikTokAccount.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
