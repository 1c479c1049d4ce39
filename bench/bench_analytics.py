"""Analytics benchmark (issue 15): a full sync of many accounts' videos.

The TikTok sandbox serves the Display API over real HTTP from a thread of this
process (the sandbox journals every call it receives). Each account has
``VIDEOS`` public videos; the first sync of each is a full one. Figures:

- Display API calls made (counted by the sandbox) against the minimum the API
  allows: one user/info plus ceil(videos / 20) video/list pages per account
  (docs/tiktok.md §3.1, §3.2). Ratio: minimum / made (1.00 is the best).
- Wall time of the whole sync, and the floor TikTok's 600 calls a minute
  (§6, app-wide here) puts under it.
- Database queries per video (every query of the sync: rate-limit window,
  tokens, attempt rows, videos, snapshots, links).
- A second, hourly sync an hour and a half later: calls made (pages reaching
  known videos plus video/query batches for due videos).

Default: 20 accounts x 100 videos. POSTDECK_BENCH_FULL=1 runs the issue's
200 x 100 (1,200 calls, so at least one full minute of the Display window).
"""

from __future__ import annotations

import math
import os
import time
from datetime import timedelta
from typing import Any

VIDEOS = 100
PAGE = 20
DISPLAY_PER_MINUTE = 600


def _setup(accounts: int) -> list[int]:
    from django.utils import timezone

    from bench.sandbox_support import sandbox_account_connect
    from tiktok_sandbox.models import SandboxCreator, SandboxVideo
    from workspaces.models import Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    now = timezone.now()
    ids = []
    scopes = ["user.info.basic", "user.info.stats", "video.list"]
    for number in range(accounts):
        creator = SandboxCreator.objects.create(
            username=f"bench.{number}", nickname=f"Bench {number}"
        )
        SandboxVideo.objects.bulk_create(
            SandboxVideo(
                creator=creator,
                title=f"video {index}",
                privacy_level="PUBLIC_TO_EVERYONE",
                posted_at=now - timedelta(hours=index * 5 + 1),
                publicly_available_at=now - timedelta(hours=index * 5 + 1),
            )
            for index in range(VIDEOS)
        )
        account = sandbox_account_connect(
            workspace, creator, scopes=scopes, access_seconds=86400
        )
        ids.append(account.pk)
    return ids


def _display_calls() -> int:
    from tiktok_sandbox.models import Endpoint, SandboxCall

    return SandboxCall.objects.filter(
        endpoint__in=[Endpoint.USER_INFO, Endpoint.VIDEO_LIST, Endpoint.VIDEO_QUERY]
    ).count()


def _sync_all(account_ids: list[int], **options: Any) -> tuple[int, float, int]:
    from django.db import connection

    from tiktok_integration.analytics.sync import analytics_account_sync

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before = _display_calls()
    started = time.perf_counter()
    # This thread's queries only (the sandbox serves from another thread).
    with connection.execute_wrapper(count):
        for account_id in account_ids:
            analytics_account_sync(
                account_id=account_id, max_wait_seconds=70, **options
            )
    wall = time.perf_counter() - started
    return _display_calls() - before, wall, queries


def main() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from bench.sandbox_support import sandbox_over_http
    from tiktok_integration.models import VideoSnapshot

    accounts = 200 if os.environ.get("POSTDECK_BENCH_FULL") == "1" else 20
    with sandbox_over_http(
        processing_delay_seconds=0,
        moderation_delay_seconds=0,
        webhooks_enabled=False,
    ) as url:
        account_ids = _setup(accounts)
        print(f"{accounts} accounts x {VIDEOS} videos, sandbox over HTTP on {url}")
        calls, wall, queries = _sync_all(account_ids, full=True)
        minimum = accounts * (1 + math.ceil(VIDEOS / PAGE))
        videos = accounts * VIDEOS
        floor = (math.ceil(minimum / DISPLAY_PER_MINUTE) - 1) * 60.0
        snapshots = VideoSnapshot.objects.count()
        print(
            f"full sync: {calls} Display calls, minimum {minimum}: "
            f"ratio {minimum / calls:.2f}"
        )
        print(
            f"full sync: {wall:.1f} s wall ({wall / accounts:.2f} s per account); "
            f"the 600/min window alone needs at least {floor:.0f} s"
        )
        print(
            f"full sync: {queries} queries for {videos} videos: "
            f"{queries / videos:.2f} queries per video; {snapshots} snapshots"
        )
        later = timezone.now() + timedelta(minutes=90)
        calls, wall, queries = _sync_all(account_ids, now=later)
        print(
            f"hourly sync 90 min later: {calls} Display calls "
            f"({calls / accounts:.1f} per account), {wall:.1f} s, "
            f"{queries / videos:.2f} queries per video"
        )
