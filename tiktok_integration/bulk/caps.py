"""The plan against TikTok's daily cap (§6): no account may get more direct
posts in any 24 hours than ``TIKTOK_DAILY_POST_CAP``, counting the posts it
already has waiting or at TikTok and the plan's rows together."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from tiktok_integration.composer import DIRECT
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.caps import DAY


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A plan row as the cap sees it: ``key`` (the row's line), the account,
    the instant (aware UTC), and whether the import would write it."""

    key: int
    account_id: int
    at: datetime
    writes: bool


def over_cap(planned: Iterable[PlannedPost], *, skip_posts: set[int]) -> dict[int, str]:
    """Rows the cap refuses, by key, with the sentence why. Posts already
    saved count too (one query for every account), except ``skip_posts``
    (post ids the plan itself rewrites). Rows that write nothing (unchanged)
    are counted but never refused."""
    cap = settings.TIKTOK_DAILY_POST_CAP
    by_account: dict[int, list[tuple[datetime, PlannedPost | None]]] = defaultdict(list)
    for planned_post in planned:
        by_account[planned_post.account_id].append((planned_post.at, planned_post))
    if not by_account:
        return {}
    # Only what can share a 24-hour window with the plan's first post.
    earliest = min(at for events in by_account.values() for at, _ in events) - DAY
    saved = (
        PublishJob.objects.filter(account_id__in=by_account, mode=DIRECT)
        .filter(
            Q(status__in=PublishJob.WAITING, scheduled_at__gte=earliest)
            | Q(status__in=PublishJob.AT_TIKTOK, processing_at__gte=earliest)
        )
        .exclude(post_id__in=skip_posts)
        .values_list("account_id", "scheduled_at", "processing_at")
    )
    for account_id, scheduled_at, processing_at in saved:
        by_account[account_id].append((processing_at or scheduled_at, None))
    refused: dict[int, str] = {}
    for events in by_account.values():
        window: deque[datetime] = deque()
        for at, post in sorted(events, key=lambda event: event[0]):
            while window and window[0] <= at - DAY:
                window.popleft()
            if len(window) >= cap and post is not None and post.writes:
                refused[post.key] = (
                    f"The account would post more than {cap} times in 24 hours "
                    f"up to {at:%Y-%m-%d %H:%M} UTC, TikTok's daily limit: move "
                    "this post to another day."
                )
                continue
            window.append(at)
    return refused
