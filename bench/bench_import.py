"""Bulk import benchmark (issue 14): a posting plan through ``import_posts``.

The TikTok sandbox serves creator_info over real HTTP from a thread of this
process. The plan spreads its rows over ``ACCOUNTS`` connected accounts, at
most ten a day per account (under TikTok's daily cap), all direct posts of
one library video. Figures for each size:

- dry run: wall time and database queries per row (every query of this
  thread: lookups, the composer's checks, the rolled-back writes);
- real import: the same, rows created;
- re-run of the same file: every row unchanged, queries for the whole file;
- creator_info calls made (the sandbox's journal): one per account.

Baseline in the same run: a 100-row plan. Ratios: per-row time and queries
at the large size over the 100-row figures (1.00 = per-row cost flat as the
plan grows; the goal is queries per row bounded by a constant).

Default: 1,000 rows. POSTDECK_BENCH_FULL=1 runs the issue's 10,000 rows.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ACCOUNTS = 10
PER_DAY = 10
BASELINE_ROWS = 100


def _setup() -> tuple[Any, Any, list[str], int]:
    from django.contrib.auth import get_user_model

    from bench.sandbox_support import sandbox_account_connect
    from media_library.models import MediaAsset
    from tiktok_sandbox.models import SandboxCreator
    from workspaces.models import Workspace, WorkspaceMembership

    workspace = Workspace.objects.create(
        name="Bench", slug="bench-import", time_zone="Europe/Rome"
    )
    user = get_user_model().objects.create_user("bench-importer")
    WorkspaceMembership.objects.create(workspace=workspace, user=user, role="manager")
    scopes = ["user.info.basic", "video.publish", "video.upload"]
    names = []
    for number in range(ACCOUNTS):
        creator = SandboxCreator.objects.create(
            username=f"bench.import.{number}", nickname=f"Bench {number}"
        )
        sandbox_account_connect(workspace, creator, scopes=scopes, access_seconds=86400)
        names.append(creator.username)
    video = MediaAsset.objects.create(
        workspace=workspace, kind="video", original_filename="bench.mp4",
        sha256="b" * 64, size_bytes=1024, mime_type="video/mp4",
        duration_seconds=12.0, width=1080, height=1920, is_tiktok_ready=True,
    )  # fmt: skip
    return workspace, user, names, video.pk


def _plan(
    folder: Path, prefix: str, rows: int, names: list[str], video: int, first_day: int
) -> Path:
    from django.utils import timezone

    from tiktok_integration.bulk.contract import COLUMNS

    start = (timezone.now() + timedelta(days=first_day)).date()
    path = folder / f"{prefix}.csv"
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        for number in range(rows):
            slot = number // len(names)
            day = start + timedelta(days=slot // PER_DAY)
            writer.writerow({
                "external_id": f"{prefix}-{number}",
                "account": names[number % len(names)],
                "media": str(video),
                "caption": f"Post {number} of the plan #bench",
                "scheduled_at": f"{day.isoformat()}T{8 + slot % PER_DAY:02d}:00",
                "timezone": "Europe/Rome",
                "mode": "direct",
                "privacy_level": "SELF_ONLY",
                "allow_comment": "true",
            })  # fmt: skip
    return path


def _timed(
    path: Path, workspace: Any, user: Any, **options: Any
) -> tuple[float, int, Any]:
    from django.db import connection

    from tiktok_integration.bulk.importer import ImportOptions, import_plan

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    run = ImportOptions(
        path=path, workspace_id=workspace.pk, user_id=user.pk, **options
    )
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = import_plan(run)
    return time.perf_counter() - started, queries, result


def _expect(result: Any, outcome: str, rows: int) -> None:
    if result.counts[outcome] != rows:
        refused = [row for row in result.rows if row.outcome == "refused"][:3]
        raise RuntimeError(f"expected {rows} {outcome}, got {result.counts}: {refused}")


def _measure(
    folder: Path, rows: int, setup: tuple[Any, Any, list[str], int], first_day: int
) -> dict[str, float]:
    from tiktok_sandbox.models import Endpoint, SandboxCall

    workspace, user, names, video = setup
    path = _plan(folder, f"plan{rows}", rows, names, video, first_day)
    asked = SandboxCall.objects.filter(endpoint=Endpoint.CREATOR_INFO).count()
    dry, dry_q, result = _timed(path, workspace, user, dry_run=True)
    _expect(result, "created", rows)
    real, real_q, result = _timed(path, workspace, user)
    _expect(result, "created", rows)
    again, again_q, result = _timed(path, workspace, user)
    _expect(result, "unchanged", rows)
    calls = SandboxCall.objects.filter(endpoint=Endpoint.CREATOR_INFO).count() - asked
    print(
        f"{rows:>6} rows: dry run {dry:.1f} s ({dry / rows * 1000:.1f} ms/row, "
        f"{dry_q / rows:.1f} queries/row); import {real:.1f} s "
        f"({real / rows * 1000:.1f} ms/row, {real_q / rows:.1f} queries/row); "
        f"re-run unchanged {again:.2f} s ({again_q} queries for the file); "
        f"creator_info calls {calls} over the 2 imports that wrote or rolled "
        f"back ({len(names)} accounts)"
    )
    return {"dry": dry / rows, "real": real / rows, "dry_q": dry_q / rows,
            "real_q": real_q / rows}  # fmt: skip


def main() -> None:
    import django

    django.setup()
    from bench.sandbox_support import sandbox_over_http

    rows = 10_000 if os.environ.get("POSTDECK_BENCH_FULL") == "1" else 1_000
    with sandbox_over_http(webhooks_enabled=False):
        setup = _setup()
        with tempfile.TemporaryDirectory() as folder:
            # Days apart, so the baseline's posts do not count in the
            # large plan's daily caps.
            base = _measure(Path(folder), BASELINE_ROWS, setup, first_day=2)
            large = _measure(Path(folder), rows, setup, first_day=10)
        print(
            f"{rows} rows vs {BASELINE_ROWS} (per row, 1.00 = flat): dry run time "
            f"{large['dry'] / base['dry']:.2f}, import time "
            f"{large['real'] / base['real']:.2f}, queries "
            f"{large['real_q'] / base['real_q']:.2f}"
        )
