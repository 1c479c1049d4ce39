"""``manage.py import_posts`` against the sandbox over real HTTP: rows become
scheduled posts exactly as the composer would make them, re-runs change
nothing, and every refusal names the line and what to fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cms.models import Post
from tests.tiktok_integration.bulk.conftest import import_posts, plan_row, write_plan
from tiktok_integration.models import PublishAttempt, PublishJob


def test_a_plan_becomes_scheduled_posts_with_evidence(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="a", media=str(video.pk), allow_comment="true"),
        plan_row(external_id="b", media=video.sha256, mode="draft", privacy_level="",
                 caption="Draft for the inbox", scheduled_at="2031-01-05T09:30"),
    ])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0, output
    assert "created 2, updated 0, unchanged 0, refused 0" in output
    first = Post.objects.get(workspace=rome, external_id="a")
    job = first.publish_jobs.get()
    assert (job.account, job.mode, job.privacy_level) == (
        public_account,
        "direct",
        "SELF_ONLY",
    )
    assert job.allow_comment is True and job.status == PublishJob.Status.SCHEDULED
    origin = job.consent_snapshot["origin"]
    assert origin["command"] == "import_posts"
    assert origin["file"] == str(plan.resolve())
    assert origin["line"] == 2
    assert origin["by"]["username"] == member.get_username()
    assert job.consent_snapshot["consented_by"]["id"] == member.pk
    draft = Post.objects.get(external_id="b")
    assert (draft.scheduled_date.isoformat(), draft.scheduled_time.isoformat()) == (
        "2031-01-05", "09:30:00")  # fmt: skip
    assert draft.caption == "Draft for the inbox"
    assert draft.publish_jobs.get().mode == "draft"


def test_the_same_file_again_changes_nothing(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id=f"p{n}", media=str(video.pk), scheduled_at=f"2031-02-0{n}T10:00")
        for n in range(1, 4)
    ])  # fmt: skip
    assert import_posts(plan, rome, member, "--consent")[0] == 0
    before = list(Post.objects.values_list("pk", "updated_at"))
    calls = PublishAttempt.objects.count()
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 0
    assert "created 0, updated 0, unchanged 3, refused 0" in output
    assert list(Post.objects.values_list("pk", "updated_at")) == before
    assert PublishAttempt.objects.count() == calls  # TikTok was not even asked


def test_a_changed_row_updates_the_post(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media=str(video.pk))])
    import_posts(plan, rome, member, "--consent")
    post = Post.objects.get()
    write_plan(plan, [plan_row(media=str(video.pk), caption="New words",
                               scheduled_at="2031-03-03T18:15", allow_duet="true")])  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent", "-v", "2")
    assert status == 0, output
    assert "changed: caption, scheduled_at, allow_duet" in output
    post.refresh_from_db()
    assert post.caption == "New words"
    assert post.scheduled_time.isoformat() == "18:15:00"
    assert post.publish_jobs.get().allow_duet is True
    assert Post.objects.count() == 1


def test_a_changed_row_of_a_post_that_started_publishing_is_refused(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media=str(video.pk))])
    import_posts(plan, rome, member, "--consent")
    PublishJob.objects.update(status=PublishJob.Status.PUBLISHED)
    write_plan(plan, [plan_row(media=str(video.pk), caption="Too late")])
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "line 2 launch-1: refused" in output
    assert (
        "caption changed, but @sandbox.public's copy is already 'Published'" in output
    )
    assert Post.objects.get().caption == "Launch day #postdeck"


def test_dry_run_writes_nothing_and_reports_every_row(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [
        plan_row(external_id="ok", media=str(video.pk)),
        plan_row(external_id="bad", media=str(video.pk), privacy_level=""),
    ])  # fmt: skip
    report = tmp_path / "report.json"
    status, output = import_posts(
        plan, rome, member, "--dry-run", "--report", str(report)
    )
    assert status == 1
    assert "created 1, updated 0, unchanged 0, refused 1 (dry run" in output
    assert Post.objects.count() == 0 and PublishJob.objects.count() == 0
    assert "Importing" not in output  # no progress bar when stderr is not a terminal
    document = json.loads(report.read_text())
    assert document["summary"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": 1,
    }
    assert document["written"] is False
    ok, bad = document["rows"]
    assert ok == {"line": 2, "external_id": "ok", "outcome": "created", "reasons": []}
    assert bad["line"] == 3 and bad["outcome"] == "refused"
    assert bad["reasons"][0].startswith("privacy_level: ")


def test_a_refused_row_never_stops_the_valid_ones_unless_atomic(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    rows = [
        plan_row(external_id="ok", media=str(video.pk)),
        plan_row(external_id="past", media=str(video.pk), scheduled_at="2020-01-01T10:00"),
    ]  # fmt: skip
    plan = write_plan(tmp_path / "plan.csv", rows)
    status, output = import_posts(plan, rome, member, "--consent", "--atomic")
    assert status == 1
    assert (
        "scheduled_at: 10:00 on 01 Jan 2020 in Europe/Rome has already passed" in output
    )
    assert "--atomic: nothing was written" in output
    assert Post.objects.count() == 0
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert list(Post.objects.values_list("external_id", flat=True)) == ["ok"]


def test_file_level_problems_import_nothing(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media=str(video.pk), caption="è")],
                      encoding="latin-1")  # fmt: skip
    status, output = import_posts(plan, rome, member, "--consent")
    assert status == 1
    assert "Line 2 is not UTF-8" in output and "Nothing was imported" in output
    assert Post.objects.count() == 0


def test_a_real_import_needs_consent(
    tmp_path: Path, rome: Any, member: Any, public_account: Any, video: Any
) -> None:
    plan = write_plan(tmp_path / "plan.csv", [plan_row(media=str(video.pk))])
    status, output = import_posts(plan, rome, member)
    assert status == 1
    assert "add --consent" in output and "Music Usage Confirmation" in output
    assert Post.objects.count() == 0
