"""``manage.py export_posts``: the import contract's columns plus what
happened, filtered, formula-safe, and an export re-imported with
``--dry-run`` reports every row unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from cms.models import Post
from tests.tiktok_integration.bulk.conftest import (
    import_posts,
    plan_row,
    run,
    write_plan,
)
from tests.tiktok_integration.compose.conftest import compose_request, direct
from tiktok_integration.bulk.contract import COLUMNS, EXPORT_ONLY_COLUMNS
from tiktok_integration.models import PublishJob, TikTokVideo
from tiktok_integration.services.compose import post_compose

CAPTIONS = ["=HYPERLINK(\"http://evil\")", "+1 for launch", "-20% today", "@team hi",
            "\tindented", "plain words"]  # fmt: skip


def _seed(tmp_path: Path, rome: Any, member: Any, video: Any) -> Path:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id=f"e{n}", media=str(video.pk), caption=caption,
                 scheduled_at=f"2031-09-{n + 1:02d}T10:00",
                 allow_comment="true" if n % 2 else "false")
        for n, caption in enumerate(CAPTIONS)
    ] + [plan_row(external_id="fold", media=str(video.pk), mode="draft",
                  privacy_level="", scheduled_at="2031-10-26T02:30+01:00",
                  timezone="")])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0, output
    return plan


def _export_csv(rome: Any, *extra: str) -> list[dict[str, str]]:
    status, out, err = run("export_posts", "--workspace", rome.slug, *extra)
    assert status == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_columns_states_and_metrics(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    _seed(tmp_path, rome, member, video)
    job = PublishJob.objects.get(post__external_id="e5")
    PublishJob.objects.filter(pk=job.pk).update(
        status=PublishJob.Status.PUBLISHED, publish_id="v_pub~123",
        public_url="https://www.tiktok.com/@sandbox.public/video/7",
    )  # fmt: skip
    TikTokVideo.objects.create(
        account=public_account, video_id="7", publish_job=job,
        created_on_tiktok_at=job.scheduled_at, latest_view_count=1200,
        latest_like_count=80, latest_comment_count=3, latest_share_count=2,
    )  # fmt: skip
    failed = PublishJob.objects.get(post__external_id="e4")
    PublishJob.objects.filter(pk=failed.pk).update(
        status=PublishJob.Status.FAILED,
        failure_message="TikTok refused the frame rate.",
    )
    rows = {row["external_id"]: row for row in _export_csv(rome)}
    assert list(next(iter(rows.values()))) == [*COLUMNS, *EXPORT_ONLY_COLUMNS]
    published = rows["e5"]
    assert published["state"] == "published"
    assert published["publish_id"] == "v_pub~123"
    assert published["public_url"].endswith("/video/7")
    assert (published["views"], published["likes"]) == ("1200", "80")
    assert rows["e4"]["failure_reason"] == "TikTok refused the frame rate."
    assert rows["e1"]["allow_comment"] == "true"
    assert rows["fold"]["scheduled_at"] == "2031-10-26T02:30:00+01:00"
    assert rows["e0"]["media"] == video.sha256


def test_formula_cells_are_neutralised(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    _seed(tmp_path, rome, member, video)
    captions = [row["caption"] for row in _export_csv(rome)][: len(CAPTIONS)]
    assert captions == ["'" + c for c in CAPTIONS[:5]] + ["plain words"]
    path = tmp_path / "out.xlsx"
    assert run("export_posts", "--workspace", rome.slug, "-o", str(path))[0] == 0
    sheet = load_workbook(path).worksheets[0]
    cells = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells[0] == "'" + CAPTIONS[0]
    assert all(cell is not None and not str(cell).startswith("=") for cell in cells)


def test_filters(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    _seed(tmp_path, rome, member, video)
    PublishJob.objects.filter(post__external_id="e2").update(
        status=PublishJob.Status.CANCELLED
    )
    assert [r["external_id"] for r in _export_csv(rome, "--state", "cancelled")] == [
        "e2"
    ]
    dated = _export_csv(rome, "--from", "2031-09-02", "--to", "2031-09-03")
    assert [row["external_id"] for row in dated] == ["e1", "e2"]
    assert len(_export_csv(rome, "--account", "@sandbox.public")) == 7
    assert _export_csv(rome, "--account", "someone.else") == []


def test_an_export_reimports_unchanged_csv_and_xlsx(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    _seed(tmp_path, rome, member, video)
    PublishJob.objects.filter(post__external_id="e3").update(
        status=PublishJob.Status.PUBLISHED, publish_id="v_pub~9"
    )
    for name in ("export.csv", "export.xlsx"):
        path = tmp_path / name
        assert run("export_posts", "--workspace", rome.slug, "-o", str(path))[0] == 0
        status, output = import_posts(path, rome, member, "--dry-run")
        assert status == 0, output
        assert "created 0, updated 0, unchanged 7, refused 0" in output


def test_a_composer_post_exports_under_its_id_and_reimports_onto_itself(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    post = post_compose(request=compose_request(
        rome, member, (direct(public_account),), media_ids=(video.pk,)
    ))  # fmt: skip
    path = tmp_path / "export.csv"
    assert run("export_posts", "--workspace", rome.slug, "-o", str(path))[0] == 0
    (row,) = csv.DictReader(path.open())
    assert row["external_id"] == f"postdeck-{post.pk}"
    assert "unchanged 1" in import_posts(path, rome, member, "--dry-run")[1]
    row["caption"] = "Edited in the sheet"
    write_plan(path, [row], header=list(row))
    status, output = import_posts(path, rome, member, "--consent")
    assert status == 0, output
    post.refresh_from_db()
    assert post.caption == "Edited in the sheet"
    assert post.external_id == f"postdeck-{post.pk}"
    assert Post.objects.count() == 1


def test_a_published_post_without_media_on_a_disconnected_account_reimports_unchanged(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    # given a post published long ago with no media left in the library (the
    # demo's history), whose account has since been disconnected
    _seed(tmp_path, rome, member, video)
    post = Post.objects.get(external_id="e1")
    post.post_media.all().delete()
    PublishJob.objects.filter(post=post).update(
        status=PublishJob.Status.PUBLISHED, publish_id="v_pub~1"
    )
    type(public_account).objects.filter(pk=public_account.pk).update(
        status="disconnected"
    )
    path = tmp_path / "export.csv"
    assert run("export_posts", "--workspace", rome.slug, "-o", str(path))[0] == 0
    # when the export is checked again
    status, output = import_posts(path, rome, member, "--dry-run")
    # then every row is unchanged, that one too
    assert status == 0, output
    assert "created 0, updated 0, unchanged 7, refused 0" in output
    # and a new row without media is still refused, naming the column
    rows = list(csv.DictReader(path.open()))
    new = {**rows[0], "external_id": "brand-new", "media": ""}
    write_plan(path, [new], header=list(rows[0]))
    status, output = import_posts(path, rome, member, "--dry-run")
    assert status == 1 and "media is empty" in output, output
