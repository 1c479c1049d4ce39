"""The database side of bench_publish, run as ``python -m bench.publish_support``
in a subprocess configured by the environment (production settings on the
benchmark's own PostgreSQL), so the benchmark never depends on how the process
that runs ``python -m bench`` set Django up.

Subcommands print one JSON object:

- ``seed ACCOUNTS JOBS_PER_ACCOUNT SPREAD_SECONDS DELAY_SECONDS SIZE``: creators,
  connected accounts, one shared video asset, and jobs due from now + DELAY,
  spread evenly over SPREAD seconds (0: all due at once);
- ``report``: per-job init request times and lateness, states, 429 count;
- ``raw-init SIZE CHUNK``: an upload URL from a bare inbox init, for curl;
- ``tick``: a beat stand-in at production intervals (runs until killed).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import timedelta
from typing import Any

BLOCK = 16 * 1024 * 1024


def write_video(size: int) -> tuple[str, str]:
    """A random-looking file of ``size`` bytes in media storage; (name, sha256)."""
    from django.conf import settings

    name = f"bench/video-{size}-{os.getpid()}.mp4"
    path = os.path.join(settings.MEDIA_ROOT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    block = os.urandom(min(BLOCK, size))
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            handle.write(piece)
            digest.update(piece)
            left -= len(piece)
    return name, digest.hexdigest()


def ready_video_asset(workspace: Any, size: int, filename: str) -> Any:
    """A TikTok-ready 1080x1920, 12 s video ``MediaAsset`` of ``size`` bytes
    in ``workspace``, its file written by ``write_video``."""
    from media_library.models import MediaAsset

    name, sha256 = write_video(size)
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.VIDEO,
        original_filename=filename,
        file=name,
        sha256=sha256,
        size_bytes=size,
        mime_type="video/mp4",
        width=1080,
        height=1920,
        duration_seconds=12.0,
        frame_rate=30.0,
        is_tiktok_ready=True,
    )


def seed(
    accounts: int, per_account: int, spread: float, delay: float, size: int
) -> None:
    from django.utils import timezone

    from bench.sandbox_support import sandbox_account_connect
    from cms.models import Post, PostMedia
    from tiktok_integration.models import PublishJob
    from tiktok_sandbox.services import (
        sandbox_creator_create,
        sandbox_ensure_defaults,
        sandbox_settings_update,
    )
    from workspaces.models import Workspace

    sandbox_ensure_defaults()
    sandbox_settings_update(
        processing_delay_seconds=0, moderation_delay_seconds=0, webhooks_enabled=False
    )
    stamp = time.time_ns()
    workspace = Workspace.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
    asset = ready_video_asset(workspace, size, "bench.mp4")
    scopes = ["user.info.basic", "video.publish", "video.upload"]
    connected = []
    for index in range(accounts):
        creator = sandbox_creator_create(username=f"bench.{time.time_ns()}.{index}")
        connected.append(
            sandbox_account_connect(
                workspace, creator, scopes=scopes, access_seconds=7200
            )
        )
    total = accounts * per_account
    start = timezone.now() + timedelta(seconds=delay)
    jobs = []
    for slot in range(total):
        # Round-robin over accounts, due times evenly over the spread: each
        # account's jobs are spread / per_account apart.
        account = connected[slot % accounts]
        due = start + timedelta(seconds=spread * slot / total)
        post = Post.objects.create(
            workspace=workspace, title=f"Bench {slot}", caption=f"Bench {slot}"
        )
        PostMedia.objects.create(post=post, asset=asset, position=0)
        jobs.append(
            PublishJob(
                post=post,
                account=account,
                scheduled_at=due,
                privacy_level=PublishJob.PrivacyLevel.SELF_ONLY,
            )
        )
    PublishJob.objects.bulk_create(jobs)
    print(json.dumps({"jobs": total, "start": start.timestamp()}))


def report() -> None:
    from django.db.models import Min

    from tiktok_integration.models import PublishAttempt, PublishJob
    from tiktok_sandbox.models import SandboxCall
    from tiktok_sandbox.selectors import sandbox_completed_publish_count

    inits = dict(
        PublishAttempt.objects.filter(endpoint="video_init", http_status=200)
        .values("job_id")
        .annotate(first=Min("started_at"))
        .values_list("job_id", "first")
    )
    rows = []
    for job_id, account_id, scheduled_at, status in PublishJob.objects.values_list(
        "pk", "account_id", "scheduled_at", "status"
    ):
        init = inits.get(job_id)
        rows.append(
            {
                "account": account_id,
                "due": scheduled_at.timestamp(),
                "init": init.timestamp() if init else None,
                "status": status,
            }
        )
    print(
        json.dumps(
            {
                "jobs": rows,
                "http_429": SandboxCall.objects.filter(http_status=429).count(),
                "completed_publishes": sandbox_completed_publish_count(),
                "upload_span": _upload_span(),
            }
        )
    )


def _upload_span() -> float | None:
    """Seconds from the first init request to the end of the last chunk PUT."""
    from tiktok_integration.models import PublishAttempt

    init = (
        PublishAttempt.objects.filter(endpoint="video_init")
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    ends = [
        started.timestamp() + duration / 1000
        for started, duration in PublishAttempt.objects.filter(
            endpoint="upload_chunk"
        ).values_list("started_at", "duration_ms")
    ]
    if init is None or not ends:
        return None
    return max(ends) - init.timestamp()


def raw_init(size: int, chunk: int) -> None:
    import requests
    from django.conf import settings

    from tiktok_integration.client import plan_chunks
    from tiktok_sandbox.services import (
        sandbox_creator_create,
        sandbox_ensure_defaults,
        sandbox_tokens_issue,
    )

    sandbox_ensure_defaults()
    creator = sandbox_creator_create(username=f"bench.curl.{time.time_ns()}")
    token = sandbox_tokens_issue(creator=creator, scopes=["video.upload"]).access_token
    plan = plan_chunks(size, chunk)
    answer = requests.post(
        f"{settings.TIKTOK_API_BASE_URL}/v2/post/publish/inbox/video/init/",
        json={
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": plan.video_size,
                "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count,
            }
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    ranges = [plan.chunk_range(index) for index in range(plan.total_chunk_count)]
    print(
        json.dumps(
            {"upload_url": answer.json()["data"]["upload_url"], "ranges": ranges}
        )
    )


def tick() -> None:
    """Dispatch and poll every TIKTOK_PUBLISH_DISPATCH_SECONDS, reconcile every
    TIKTOK_PUBLISH_RECONCILE_SECONDS: what beat does with config/periodic.py."""
    import logging

    from django.conf import settings
    from django.db import close_old_connections

    from tiktok_integration.tasks import (
        dispatch_publish_jobs_task,
        poll_publish_jobs_task,
        reconcile_publish_jobs_task,
    )

    log = logging.getLogger("bench.tick")
    every = settings.TIKTOK_PUBLISH_DISPATCH_SECONDS
    next_reconcile = 0.0
    while True:
        started = time.monotonic()
        ticks: list[Any] = [dispatch_publish_jobs_task, poll_publish_jobs_task]
        if started >= next_reconcile:
            ticks.append(reconcile_publish_jobs_task)
            next_reconcile = started + settings.TIKTOK_PUBLISH_RECONCILE_SECONDS
        for task in ticks:
            try:
                task()
            except Exception:
                log.exception("Tick %s failed", task.name)
            finally:
                close_old_connections()
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, args = argv[0], argv[1:]
    if command == "seed":
        seed(int(args[0]), int(args[1]), float(args[2]), float(args[3]), int(args[4]))
    elif command == "report":
        report()
    elif command == "raw-init":
        raw_init(int(args[0]), int(args[1]))
    elif command == "tick":
        tick()
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
