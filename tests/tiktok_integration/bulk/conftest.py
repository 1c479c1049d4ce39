"""A Europe/Rome workspace with a member, a ready video and sandbox creators
connected over real HTTP (the composer tests' fixtures, and a second direct
account), and helpers to write
a plan file and run the commands as a person would."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import ManagementUtility
from django.utils import timezone

from tests.tiktok_integration.compose.conftest import (  # noqa: F401 - fixtures
    connect,
    member,
    public_account,
    rome,
    upload_only_account,
    video,
)
from tiktok_integration.bulk.contract import COLUMNS
from tiktok_integration.models import TikTokAccount
from tiktok_sandbox.models import SandboxCreator
from workspaces.models import Workspace


@pytest.fixture
def private_account(rome: Workspace) -> TikTokAccount:  # noqa: F811 - the fixture
    """A second creator allowed to post directly (followers, friends or only me)."""
    return connect(SandboxCreator.objects.get(username="sandbox.private"), rome)


def next_week(hour: int = 10) -> str:
    """A naive ISO wall time a week ahead (10:00 is never in a clock change)."""
    day = timezone.now() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour).isoformat(timespec="minutes")  # noqa: DTZ001


def plan_row(**values: Any) -> dict[str, Any]:
    row = {
        "external_id": "launch-1",
        "account": "sandbox.public",
        "media": "",
        "caption": "Launch day #postdeck",
        "scheduled_at": next_week(),
        "timezone": "Europe/Rome",
        "mode": "direct",
        "privacy_level": "SELF_ONLY",
        "allow_comment": "false",
        "allow_duet": "false",
        "allow_stitch": "false",
        "brand_organic": "false",
        "brand_content": "false",
        "is_aigc": "false",
        "cover_timestamp_ms": "",
    }
    row.update(values)
    return row


def write_plan(
    path: Path,
    rows: Sequence[dict[str, Any]],
    *,
    header: Sequence[str] = COLUMNS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def run(*argv: str) -> tuple[int, str, str]:
    """Run ``manage.py *argv`` the way a shell does: (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    status = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", stdout)
        patch.setattr("sys.stderr", stderr)
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as error:
            status = int(error.code or 0)
    return status, stdout.getvalue(), stderr.getvalue()


def import_posts(plan: Path, workspace: Any, user: Any, *extra: str) -> tuple[int, str]:
    status, out, err = run(
        "import_posts", str(plan), "--workspace", workspace.slug,
        "--user", user.get_username(), *extra,
    )  # fmt: skip
    return status, out + err
