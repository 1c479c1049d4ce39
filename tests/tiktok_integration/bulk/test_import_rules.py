"""Every column against the composer's rules, through ``import_posts``: a row
that breaks one is refused with its line and the column to fix; TikTok is
asked for creator info once per account for the whole file; the queries per
row stay constant however long the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from cms.models import Post
from media_library.models import MediaAsset
from media_library.samples import make_sample_video
from tests.tiktok_integration.bulk.conftest import import_posts, plan_row, write_plan
from tests.tiktok_integration.compose.conftest import connect
from tiktok_integration.bulk.importer import ImportOptions, import_plan
from tiktok_integration.models import PublishAttempt
from tiktok_sandbox.models import SandboxCreator

BAD_ROWS = [
    ({"caption": "😀" * 1101}, "caption: "),
    ({"privacy_level": ""}, "privacy_level: "),
    ({"privacy_level": "FOLLOWER_OF_CREATOR"}, "privacy_level: "),
    ({"brand_content": "true"}, "brand_content: "),
    ({"mode": "draft", "privacy_level": "", "is_aigc": "true"}, "is_aigc: "),
    ({"cover_timestamp_ms": "99000"}, "cover_timestamp_ms: "),
    ({"account": "nobody.here"}, "account 'nobody.here' is not connected"),
    ({"media": "999999"}, "media 999999: no such id in the library."),
    ({"media": "f" * 64}, "no file with this SHA-256."),
    ({"media": "clips/missing.mp4"}, "media clips/missing.mp4: "),
    ({"media": "http://example.com/a.mp4"}, "use an https URL"),
    ({"timezone": "Europe/Rom"}, "did you mean 'Europe/Rome'?"),
    ({"scheduled_at": "03/29/2031 10:00"}, "is a date in another format"),
    ({"scheduled_at": "2031-03-30T02:30"}, "does not exist in Europe/Rome"),
    ({"scheduled_at": "2031-10-26T02:30"}, "Write the offset: 2031-10-26T02:30+02:00"),
    ({"allow_stitch": "sometimes"}, "allow_stitch is 'sometimes'"),
]


@pytest.mark.parametrize(("cells", "reason"), BAD_ROWS)
def test_a_row_breaking_one_rule_is_refused_with_what_to_fix(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any,
    cells: dict[str, str], reason: str,
) -> None:  # fmt: skip
    values = {"media": str(video.pk), "external_id": "bad", **cells}
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="good", media=str(video.pk)), plan_row(**values),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1, output
    assert "line 3 bad: refused" in output
    assert reason in output
    assert list(Post.objects.values_list("external_id", flat=True)) == ["good"]


def test_direct_needs_the_publish_scope(
    tmp_path: Path, rome: Any, member: Any, upload_only_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(account="sandbox.private", media=str(video.pk)),
        plan_row(external_id="d", account="sandbox.private", media=str(video.pk),
                 mode="draft", privacy_level=""),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "mode: @sandbox.private" in output
    assert list(Post.objects.values_list("external_id", flat=True)) == ["d"]


def test_a_disabled_interaction_and_a_too_long_video(
    tmp_path: Path, rome: Any, member: Any, video: Any
) -> None:
    connect(SandboxCreator.objects.get(username="sandbox.nocomments"), rome)
    long_video = MediaAsset.objects.create(
        workspace=rome, kind="video", original_filename="long.mp4", sha256="e" * 64,
        size_bytes=1, mime_type="video/mp4", duration_seconds=90.0, is_tiktok_ready=True,
    )  # fmt: skip
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="c", account="sandbox.nocomments", media=str(video.pk),
                 allow_comment="true"),
        plan_row(external_id="l", account="sandbox.nocomments", media=str(long_video.pk)),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "allow_comment: " in output
    assert "at most 60 s" in output
    assert Post.objects.count() == 0


@override_settings(TIKTOK_DAILY_POST_CAP=2)
def test_the_plan_may_not_exceed_the_daily_cap(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id=f"c{hour}", media=str(video.pk),
                 scheduled_at=f"2031-05-05T{hour:02d}:00")
        for hour in (9, 10, 11)
    ] + [plan_row(external_id="next-day", media=str(video.pk),
                  scheduled_at="2031-05-06T11:00")])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "line 4 c11: refused" in output
    assert "more than 2 times in 24 hours" in output
    assert sorted(Post.objects.values_list("external_id", flat=True)) == [
        "c10", "c9", "next-day"]  # fmt: skip


def test_a_local_file_is_imported_through_the_media_library(
    tmp_path: Path, rome: Any, member: Any, public_account: Any
) -> None:
    (tmp_path / "clips").mkdir()
    make_sample_video(
        tmp_path / "clips" / "teaser.mp4", seconds=2.0, width=360, height=640
    )
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media="clips/teaser.mp4")])
    status, output = import_posts(plan, rome, member, "--dry-run")
    assert status == 0, output
    assert (
        "would be imported first"
        in import_posts(plan, rome, member, "--dry-run", "-v", "2")[1]
    )
    assert MediaAsset.objects.count() == 0
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0, output
    asset = MediaAsset.objects.get()
    assert asset.original_filename == "teaser.mp4"
    assert Post.objects.get().post_media.get().asset == asset
    assert "unchanged 1" in import_posts(plan, rome, member, "--consent")[1]


def test_creator_info_is_asked_once_per_account_per_file(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id=f"p{day}", media=str(video.pk),
                 scheduled_at=f"2031-06-{day:02d}T10:00")
        for day in range(1, 9)
    ])  # fmt: skip
    assert import_posts(plan, rome, member, "--consent")[0] == 0
    asked = PublishAttempt.objects.filter(endpoint="creator_info")
    assert asked.count() == 1
    assert Post.objects.count() == 8


def _queries(tmp_path: Path, workspace: Any, user: Any, video: Any, rows: int) -> int:
    plan = write_plan(tmp_path / f"plan-{rows}.csv", [
        plan_row(external_id=f"{rows}-{n}", media=str(video.pk),
                 scheduled_at=f"2031-07-{1 + n % 28:02d}T{8 + n // 28:02d}:00")
        for n in range(rows)
    ])  # fmt: skip
    options = ImportOptions(path=plan, workspace_id=workspace.pk, user_id=user.pk,
                            dry_run=True)  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        result = import_plan(options)
    assert result.counts["created"] == rows, result.rows
    return len(captured)


def test_queries_per_row_are_constant(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    _queries(tmp_path, rome, member, video, 1)  # creator info asked and cached
    small, large = (_queries(tmp_path, rome, member, video, n) for n in (5, 15))
    per_row = (large - small) / 10
    assert per_row == int(per_row)
    assert _queries(tmp_path, rome, member, video, 25) - large == per_row * 10
    # About 30 on SQLite and 42 on PostgreSQL (the composer's checks, the
    # review hooks and the queue's cap): a guard against growth per row.
    assert per_row <= 45


def test_an_unchanged_file_costs_the_same_queries_however_long(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    counts = []
    for rows in (3, 12):
        plan = write_plan(tmp_path / f"same-{rows}.csv", [
            plan_row(external_id=f"s{rows}-{n}", media=str(video.pk),
                     scheduled_at=f"2031-08-{1 + n:02d}T10:00")
            for n in range(rows)
        ])  # fmt: skip
        assert import_posts(plan, rome, member, "--consent")[0] == 0
        options = ImportOptions(path=plan, workspace_id=rome.pk, user_id=member.pk)
        with CaptureQueriesContext(connection) as captured:
            assert import_plan(options).counts["unchanged"] == rows
        counts.append(len(captured))
    assert counts[0] == counts[1]


@override_settings(TIKTOK_DAILY_POST_CAP=2)
def test_posts_already_scheduled_count_toward_the_cap(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    first = write_plan(tmp_path / "first.csv", [
        plan_row(external_id="old", media=str(video.pk), scheduled_at="2031-05-05T08:00"),
    ])  # fmt: skip
    assert import_posts(first, rome, member, "--consent")[0] == 0
    second = write_plan(tmp_path / "second.csv", [
        plan_row(external_id=f"new{hour}", media=str(video.pk),
                 scheduled_at=f"2031-05-05T{hour}:00")
        for hour in (12, 13)
    ])  # fmt: skip
    status, output = import_posts(second, rome, member, "--consent")
    assert status == 1
    assert "line 3 new13: refused" in output
    assert sorted(Post.objects.values_list("external_id", flat=True)) == [
        "new12",
        "old",
    ]
