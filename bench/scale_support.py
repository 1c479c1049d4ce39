"""The database side of bench_scale, run as ``python -m bench.scale_support`` in
a subprocess configured by the environment (production settings on the
benchmark's PostgreSQL), like bench.publish_support.

Subcommands print one JSON object:

- ``seed-accounts COUNT FIRST_EXPIRY SPAN OFFSET``: one workspace, COUNT
  connected accounts (numbered from OFFSET) whose tokens are the stand-in's
  generation 0 and whose access tokens expire evenly from FIRST_EXPIRY (epoch
  seconds) over SPAN seconds, and (the first time) one small video asset;
  prints the open_id -> expiry map;
- ``seed-posts PATH``: posts and jobs from a JSON file of ``[epoch_due, ...]``,
  round-robin over the accounts;
- ``report``: per-job due time, first init request time and state;
- ``ticks``: one dispatch, poll and reconcile tick and one refresh sweep with
  nothing due (every token's expiry is moved a day on first), each with its
  query count and milliseconds.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.publish_support import ready_video_asset

VIDEO_BYTES = 64 * 1024
BATCH = 2000


def seed_accounts(count: int, first_expiry: float, span: float, offset: int) -> None:
    from django.utils import timezone

    from tiktok_integration.models import TikTokAccount
    from workspaces.models import Workspace

    workspace, created = Workspace.objects.get_or_create(name="Scale", slug="scale")
    if created:
        ready_video_asset(workspace, VIDEO_BYTES, "scale.mp4")
    scopes = ["user.info.basic", "video.publish", "video.upload"]
    expiries: dict[str, float] = {}
    rows = []
    for index in range(count):
        open_id = f"scale{offset + index:06d}"
        expires = first_expiry + span * index / max(1, count)
        expiries[open_id] = expires
        rows.append(
            TikTokAccount(
                workspace=workspace,
                open_id=open_id,
                username=open_id,
                access_token=f"at.{open_id}.0",
                refresh_token=f"rt.{open_id}.0",
                access_token_expires_at=datetime.fromtimestamp(expires, tz=UTC),
                refresh_token_expires_at=timezone.now() + timedelta(days=365),
                granted_scopes=scopes,
            )
        )
    TikTokAccount.objects.bulk_create(rows, batch_size=BATCH)
    print(json.dumps({"expiries": expiries}))


def seed_posts(path: str) -> None:
    from cms.models import Post, PostMedia
    from media_library.models import MediaAsset
    from tiktok_integration.models import PublishJob, TikTokAccount
    from workspaces.models import Workspace

    dues: list[float] = json.loads(Path(path).read_text())
    workspace = Workspace.objects.get(slug="scale")
    asset = MediaAsset.objects.get(workspace=workspace)
    accounts = list(TikTokAccount.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(dues), BATCH):
        part = dues[start : start + BATCH]
        posts = Post.objects.bulk_create(
            Post(workspace=workspace, title=f"s-{start + i}", caption=f"s{start + i}")
            for i in range(len(part))
        )
        PostMedia.objects.bulk_create(
            PostMedia(post=post, asset=asset, position=0) for post in posts
        )
        PublishJob.objects.bulk_create(
            PublishJob(
                post=post,
                account_id=accounts[(start + i) % len(accounts)],
                scheduled_at=datetime.fromtimestamp(due, tz=UTC),
                privacy_level=PublishJob.PrivacyLevel.SELF_ONLY,
            )
            for i, (post, due) in enumerate(zip(posts, part, strict=True))
        )
    print(json.dumps({"jobs": len(dues)}))


def report() -> None:
    from django.db.models import Min, Sum

    from tiktok_integration.models import PublishAttempt, PublishJob

    inits = dict(
        PublishAttempt.objects.filter(endpoint="video_init", http_status=200)
        .values("job_id")
        .annotate(first=Min("started_at"))
        .values_list("job_id", "first")
    )
    jobs = [
        [
            scheduled_at.timestamp(),
            inits[job_id].timestamp() if job_id in inits else None,
            status,
        ]
        for job_id, scheduled_at, status in PublishJob.objects.values_list(
            "pk", "scheduled_at", "status"
        ).iterator(chunk_size=5000)
    ]
    claims = PublishJob.objects.aggregate(total=Sum("lease_version"))["total"] or 0
    print(json.dumps({"jobs": jobs, "claims": claims}))


def _measure(call: Any) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call()
        elapsed = time.perf_counter() - started
    return {"queries": len(queries), "ms": elapsed * 1000}


def ticks() -> None:
    from tiktok_integration.models import PublishJob, TikTokAccount
    from tiktok_integration.publishing.dispatch import (
        publish_dispatch_tick,
        publish_poll_tick,
        publish_reconcile_tick,
    )
    from tiktok_integration.services.tokens import tiktok_account_refresh_expiring

    # The sweep is measured with nothing due: what every tick costs however
    # many accounts there are (the refreshes themselves are per account).
    TikTokAccount.objects.update(
        access_token_expires_at=datetime.now(tz=UTC) + timedelta(days=1)
    )
    print(
        json.dumps(
            {
                "accounts": TikTokAccount.objects.count(),
                "scheduled": PublishJob.objects.filter(
                    status=PublishJob.Status.SCHEDULED
                ).count(),
                "dispatch": _measure(publish_dispatch_tick),
                "poll": _measure(publish_poll_tick),
                "reconcile": _measure(publish_reconcile_tick),
                "refresh_sweep": _measure(tiktok_account_refresh_expiring),
            }
        )
    )


def poll_backlog() -> None:
    """Every job of the run due for a status check at once (as if TikTok were
    still processing them all), then two poll ticks: the first claims a batch,
    the second finds the batch still queued and claims nothing. Their queries
    should not depend on the backlog."""
    from django.db.models.functions import Now

    from tiktok_integration.models import PublishJob
    from tiktok_integration.publishing.dispatch import publish_poll_tick

    backlog = PublishJob.objects.filter(status=PublishJob.Status.PUBLISHED).update(
        status=PublishJob.Status.PROCESSING,
        lease_owner="",
        lease_expires_at=None,
        next_action_at=Now(),
    )
    claimed: list[int] = []

    def tick() -> None:
        claimed.append(len(publish_poll_tick()))

    first, second = _measure(tick), _measure(tick)
    print(
        json.dumps(
            {"backlog": backlog, "claimed": claimed, "first": first, "second": second}
        )
    )


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, args = argv[0], argv[1:]
    if command == "seed-accounts":
        seed_accounts(int(args[0]), float(args[1]), float(args[2]), int(args[3]))
    elif command == "seed-posts":
        seed_posts(args[0])
    elif command == "report":
        report()
    elif command == "ticks":
        ticks()
    elif command == "poll-backlog":
        poll_backlog()
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
