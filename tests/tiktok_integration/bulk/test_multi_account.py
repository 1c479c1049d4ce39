"""A post for several accounts is several rows sharing one ``external_id``:
an export of it re-imports unchanged, an edited one updates the one post
through one composer write (no account's copy cancelled by another's row),
a dropped row removes that account, and rows that cannot be one post are
refused, naming the lines and what to fix."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.test import override_settings
from openpyxl import load_workbook

from cms.models import Post
from tests.tiktok_integration.bulk.conftest import (
    import_posts,
    plan_row,
    run,
    write_plan,
)
from tests.tiktok_integration.compose.conftest import compose_request, direct
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import post_compose

Status = PublishJob.Status


def _two_account_post(rome: Any, member: Any, video: Any, *accounts: Any) -> Post:
    return post_compose(request=compose_request(
        rome, member, tuple(direct(account) for account in accounts),
        media_ids=(video.pk,),
    ))  # fmt: skip


def _export(rome: Any, path: Path) -> list[dict[str, str]]:
    status, _, err = run("export_posts", "--workspace", rome.slug, "-o", str(path))
    assert status == 0, err
    if path.suffix == ".xlsx":
        header, *rows = load_workbook(path).worksheets[0].iter_rows(values_only=True)
        return [
            {
                str(k): "" if v is None else str(v)
                for k, v in zip(header, row, strict=True)
            }
            for row in rows
        ]
    return list(csv.DictReader(path.open()))


def _jobs(post: Post) -> dict[str, tuple[int, str]]:
    return {
        job.account.username: (job.pk, job.status)
        for job in post.publish_jobs.select_related("account")
    }


def test_an_export_of_a_two_account_post_reimports_unchanged_csv_and_xlsx(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    post = _two_account_post(rome, member, video, public_account, private_account)
    before = (post.updated_at, _jobs(post))
    for name in ("export.csv", "export.xlsx"):
        path = tmp_path / name
        rows = _export(rome, path)
        assert {row["external_id"] for row in rows} == {f"postdeck-{post.pk}"}
        assert len(rows) == 2
        for extra in (("--dry-run",), ("--consent",)):
            status, output = import_posts(path, rome, member, *extra)
            assert status == 0, output
            assert "created 0, updated 0, unchanged 2, refused 0" in output
    post.refresh_from_db()
    assert (post.updated_at, _jobs(post)) == before
    assert Post.objects.count() == 1


def test_a_changed_caption_updates_the_one_post_and_keeps_both_jobs(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    post = _two_account_post(rome, member, video, public_account, private_account)
    jobs = _jobs(post)
    path = tmp_path / "export.csv"
    rows = _export(rome, path)
    for row in rows:
        row["caption"] = "Edited in the sheet"
    rows[1]["allow_comment"] = "true"
    write_plan(path, rows, header=list(rows[0]))
    status, output = import_posts(path, rome, member, "--consent", "-v", "2")
    assert status == 0, output
    assert "created 0, updated 2, unchanged 0, refused 0" in output
    assert "changed: caption, allow_comment" in output
    post.refresh_from_db()
    assert post.caption == "Edited in the sheet"
    assert _jobs(post) == jobs  # the same two jobs, both still scheduled
    assert {status for _, status in jobs.values()} == {Status.SCHEDULED}
    commenting = post.publish_jobs.get(allow_comment=True)
    assert commenting.account.username == rows[1]["account"]


def test_a_new_post_for_two_accounts_is_one_post_and_errors_stay_on_their_row(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    rows = [
        plan_row(external_id="duo", media=str(video.pk)),
        plan_row(external_id="duo", media=str(video.pk), account="sandbox.private",
                 privacy_level="PUBLIC_TO_EVERYONE"),
    ]  # fmt: skip
    plan = write_plan(tmp_path / "plan.csv", rows)
    status, output = import_posts(plan, rome, member, "--consent", "--report",
                                  str(tmp_path / "report.json"))  # fmt: skip
    assert status == 1
    first, second = json.loads((tmp_path / "report.json").read_text())["rows"]
    assert second["line"] == 3 and second["reasons"][0].startswith("privacy_level: ")
    assert first["reasons"] == [
        "Not imported: line 3 of the same post (external_id 'duo') was refused, "
        "and a post is written whole; fix that first."
    ]
    assert Post.objects.count() == 0
    rows[1]["privacy_level"] = "SELF_ONLY"
    write_plan(plan, rows)
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0, output
    assert "created 2, updated 0, unchanged 0, refused 0" in output
    post = Post.objects.get()
    assert sorted(_jobs(post)) == ["sandbox.private", "sandbox.public"]
    origin = post.publish_jobs.first().consent_snapshot["origin"]
    assert (origin["line"], origin["lines"]) == (2, [2, 3])


def test_rows_of_one_post_that_disagree_on_the_caption_are_refused(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="twin", media=str(video.pk)),
        plan_row(external_id="solo", media=str(video.pk)),
        plan_row(external_id="twin", media=str(video.pk), caption="other",
                 account="sandbox.private"),
    ])  # fmt: skip
    report = tmp_path / "report.csv"
    status, output = import_posts(
        plan, rome, member, "--consent", "--report", str(report)
    )
    assert status == 1
    assert (
        "Lines 2 and 4 share external_id 'twin' (one post for several accounts) "
        "but differ in caption: give them the same media, caption, scheduled_at "
        "and timezone" in output
    )
    assert list(Post.objects.values_list("external_id", flat=True)) == ["solo"]
    rows = list(csv.reader(report.open()))
    assert rows[2] == ["3", "solo", "created", ""]
    assert [row[:3] for row in (rows[1], rows[3])] == [
        ["2", "twin", "refused"], ["4", "twin", "refused"]]  # fmt: skip
    assert rows[1][3] == rows[3][3] and rows[1][3].startswith("Lines 2 and 4 share")


def test_the_same_account_twice_in_one_post_is_refused(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="twice", media=str(video.pk)),
        plan_row(external_id="twice", media=str(video.pk), account="@Sandbox.Public"),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "refused 2" in output
    assert (
        "Lines 2 and 3 share external_id 'twice' and both name @sandbox.public"
        in output
    )
    assert Post.objects.count() == 0


def test_a_dropped_row_removes_that_account_until_its_row_changes(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    post = _two_account_post(rome, member, video, public_account, private_account)
    jobs = _jobs(post)
    path = tmp_path / "export.csv"
    rows = [row for row in _export(rome, path) if row["account"] == "sandbox.public"]
    write_plan(path, rows, header=list(rows[0]))
    status, output = import_posts(path, rome, member, "--consent", "-v", "2")
    assert status == 0, output
    assert "removes @sandbox.private from this post" in output
    assert "created 0, updated 1, unchanged 0, refused 0" in output
    after = _jobs(post)
    assert after["sandbox.public"] == jobs["sandbox.public"]
    assert after["sandbox.private"] == (jobs["sandbox.private"][0], Status.CANCELLED)
    # The next export still lists the cancelled copy; re-importing it changes
    # nothing and does not post that copy again.
    assert len(_export(rome, path)) == 2
    status, output = import_posts(path, rome, member, "--consent")
    assert status == 0, output
    assert "created 0, updated 0, unchanged 2, refused 0" in output
    assert _jobs(post) == after
    # Changing that row's own settings posts that copy again.
    rows = _export(rome, path)
    for row in rows:
        if row["account"] == "sandbox.private":
            row["privacy_level"] = "FOLLOWER_OF_CREATOR"
    write_plan(path, rows, header=list(rows[0]))
    status, output = import_posts(path, rome, member, "--consent")
    assert status == 0, output
    assert "created 0, updated 1, unchanged 1, refused 0" in output
    assert _jobs(post)["sandbox.private"] == (after["sandbox.private"][0],
                                               Status.SCHEDULED)  # fmt: skip


@override_settings(TIKTOK_DAILY_POST_CAP=1)
def test_one_account_over_the_daily_cap_holds_back_the_whole_post(
    tmp_path: Path, rome: Any, member: Any, public_account: Any,
    private_account: Any, video: Any,
) -> None:  # fmt: skip
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="first", account="sandbox.private", media=str(video.pk),
                 scheduled_at="2031-05-05T09:00"),
        plan_row(external_id="duo", media=str(video.pk), scheduled_at="2031-05-05T10:00"),
        plan_row(external_id="duo", account="sandbox.private", media=str(video.pk),
                 scheduled_at="2031-05-05T10:00"),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert (
        "line 4 duo: refused\n    scheduled_at: The account would post more" in output
    )
    assert "line 3 duo: refused\n    Not imported: line 4 of the same post" in output
    assert list(Post.objects.values_list("external_id", flat=True)) == ["first"]


def test_a_post_whose_every_copy_was_cancelled_changes_only_with_a_row(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media=str(video.pk))])
    assert import_posts(plan, rome, member, "--consent")[0] == 0
    PublishJob.objects.update(status=Status.CANCELLED)
    write_plan(plan, [plan_row(media=str(video.pk), caption="New words")])
    status, output = import_posts(plan, rome, member, "--consent", "-v", "2")
    assert status == 1, output
    assert "Every row of this post names a copy that was cancelled" in output
    assert Post.objects.get().caption == "Launch day #postdeck"
    write_plan(plan, [plan_row(media=str(video.pk), caption="New words",
                               allow_comment="true")])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0, output
    assert PublishJob.objects.get().status == Status.SCHEDULED
    assert Post.objects.get().caption == "New words"
