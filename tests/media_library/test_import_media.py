"""manage.py import_media: files, folders and URLs into a workspace."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from media_library.models import MediaAsset
from tests.media_library import media
from tests.media_library.https_server import https_server

pytestmark = pytest.mark.django_db


def run(*args: str, expect_refusals: bool = False) -> str:
    stdout = io.StringIO()
    if expect_refusals:
        with pytest.raises(CommandError, match=r"file\(s\) refused"):
            call_command("import_media", *args, stdout=stdout)
    else:
        call_command("import_media", *args, stdout=stdout)
    return stdout.getvalue()


@pytest.fixture
def folder(tmp_path: Path, valid_video: Path, photo_jpeg: Path) -> Path:
    root = tmp_path / "drop"
    (root / "sub").mkdir(parents=True)
    (root / "clip.mp4").write_bytes(valid_video.read_bytes())
    (root / "sub" / "photo.jpg").write_bytes(photo_jpeg.read_bytes())
    (root / "sub" / "notes.txt").write_text("not media")
    (root / ".hidden.mp4").write_bytes(valid_video.read_bytes())
    return root


def test_a_folder_is_imported_recursively_with_glob_filters(
    workspace, folder, tmp_path
):
    # given
    report = tmp_path / "report.json"
    # when
    output = run(
        "--workspace", workspace.slug, str(folder), "--recursive",
        "--glob", "*.mp4", "--glob", "*.JPG", "--report", str(report),
    )  # fmt: skip
    # then
    assert sorted(MediaAsset.objects.values_list("original_filename", flat=True)) == [
        "clip.mp4",
        "photo.jpg",
    ]
    assert "Imported 2, skipped 0 already in the library, refused 0" in output
    data = json.loads(report.read_text())
    assert data["summary"] == {"imported": 2, "duplicates": 0, "refused": 0}
    assert {row["source"] for row in data["imported"]} == {
        str(folder / "clip.mp4"),
        str(folder / "sub" / "photo.jpg"),
    }
    row = data["imported"][0]
    assert set(row) == {
        "source", "asset_id", "sha256", "kind", "is_tiktok_ready", "validation_errors",
    }  # fmt: skip
    assert all(asset.probe_status == "probed" for asset in MediaAsset.objects.all())


def test_without_recursive_only_the_top_folder_is_read(workspace, folder):
    run("--workspace", workspace.slug, str(folder), "--glob", "*.*")
    assert list(MediaAsset.objects.values_list("original_filename", flat=True)) == [
        "clip.mp4"
    ]


def test_a_second_run_skips_everything_as_duplicates(workspace, folder, tmp_path):
    # given
    args = [
        "--workspace", workspace.slug, str(folder), "--recursive",
        "--glob", "*.mp4", "--glob", "*.jpg",
    ]  # fmt: skip
    run(*args)
    ids_before = set(MediaAsset.objects.values_list("pk", flat=True))
    report = tmp_path / "again.json"
    # when
    output = run(*args, "--report", str(report))
    # then
    assert set(MediaAsset.objects.values_list("pk", flat=True)) == ids_before
    assert "Imported 0, skipped 2 already in the library" in output
    data = json.loads(report.read_text())
    assert {row["asset_id"] for row in data["duplicates"]} == ids_before


def test_the_same_file_twice_in_one_batch_is_stored_once(
    workspace, valid_video, tmp_path
):
    # given
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(valid_video.read_bytes())
    # when
    output = run("--workspace", workspace.slug, str(valid_video), str(copy))
    # then
    assert MediaAsset.objects.count() == 1
    assert "Imported 1, skipped 1" in output


def test_a_dry_run_stores_nothing_but_reports_everything(workspace, folder, tmp_path):
    # given
    report = tmp_path / "dry.json"
    # when
    output = run(
        "--workspace", workspace.slug, str(folder), "--recursive", "--dry-run",
        "--report", str(report), expect_refusals=True,
    )  # fmt: skip
    # then
    assert not MediaAsset.objects.exists()
    assert "Would import 2, skipped 0 already in the library, refused 1" in output
    data = json.loads(report.read_text())
    assert data["dry_run"] is True
    assert [row["asset_id"] for row in data["imported"]] == [None, None]
    assert data["refused"] == [
        {
            "source": str(folder / "sub" / "notes.txt"),
            "reason": "notes.txt contains data of an unrecognised type, not a video "
            "(MP4, MOV, WebM) or a photo (JPEG, WebP, PNG). Choose the original "
            "media file.",
        }
    ]


def test_hostile_files_are_refused_and_the_rest_goes_on(
    workspace, tmp_path, valid_video, video_61fps
):
    # given: a folder of bad input around two good files
    root = tmp_path / "batch"
    root.mkdir()
    (root / "a-good.mp4").write_bytes(valid_video.read_bytes())
    (root / "b-empty.mp4").write_bytes(b"")
    (root / "c-renamed.mp4").write_bytes(b"%PDF-1.4\n" + b"0" * 500)
    media.truncated(valid_video, root / "d-truncated.mp4")
    media.hls_playlist(root / "e-playlist.mp4", targets=["file:///etc/passwd"])
    media.png_bomb(root / "f-bomb.png")
    (root / "g-61fps.mp4").write_bytes(video_61fps.read_bytes())
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(valid_video.read_bytes() + b"different")
    (root / "h-link.mp4").symlink_to(outside)
    report = tmp_path / "report.json"
    # when
    run("--workspace", workspace.slug, str(root), "--report", str(report),
        expect_refusals=True)  # fmt: skip
    # then
    data = json.loads(report.read_text())
    refused = {Path(row["source"]).name: row["reason"] for row in data["refused"]}
    assert sorted(refused) == [
        "b-empty.mp4", "c-renamed.mp4", "d-truncated.mp4", "e-playlist.mp4",
        "f-bomb.png", "h-link.mp4",
    ]  # fmt: skip
    assert "empty (0 bytes)" in refused["b-empty.mp4"]
    assert "application/pdf" in refused["c-renamed.mp4"]
    assert "cut short" in refused["d-truncated.mp4"]
    assert "not a video" in refused["e-playlist.mp4"]
    assert "decompression bomb" in refused["f-bomb.png"]
    assert "symbolic link" in refused["h-link.mp4"]
    imported = {Path(row["source"]).name: row for row in data["imported"]}
    assert sorted(imported) == ["a-good.mp4", "g-61fps.mp4"]
    assert imported["a-good.mp4"]["is_tiktok_ready"] is True
    assert imported["g-61fps.mp4"]["is_tiktok_ready"] is False
    assert "61 frames per second" in imported["g-61fps.mp4"]["validation_errors"][0]
    assert MediaAsset.objects.count() == 2


def test_a_path_with_parent_steps_or_a_symlink_is_refused(
    workspace, tmp_path, valid_video
):
    # given
    (tmp_path / "in").mkdir()
    escape = f"{tmp_path}/in/../{valid_video.name}"
    link = tmp_path / "link.mp4"
    link.symlink_to(valid_video)
    stdout = io.StringIO()
    # when
    with pytest.raises(CommandError):
        call_command(
            "import_media", "--workspace", workspace.slug, escape, str(link),
            str(valid_video), stdout=stdout,
        )  # fmt: skip
    # then
    output = stdout.getvalue()
    assert f"refused  {escape}: The path contains '..'" in output
    assert f"refused  {link}: It is a symbolic link" in output
    assert MediaAsset.objects.count() == 1


def test_a_symlinked_folder_inside_is_not_followed(workspace, tmp_path, valid_video):
    # given
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.mp4").write_bytes(valid_video.read_bytes())
    root = tmp_path / "root"
    root.mkdir()
    (root / "escape").symlink_to(outside, target_is_directory=True)
    # when
    output = run("--workspace", workspace.slug, str(root), "--recursive",
                 expect_refusals=True)  # fmt: skip
    # then
    assert "escape: It is a symbolic link" in output
    assert not MediaAsset.objects.exists()


def test_tags_are_put_on_imported_files(workspace, valid_video):
    run(
        "--workspace",
        workspace.slug,
        str(valid_video),
        "--tag",
        "spring",
        "--tag",
        "ads",
    )
    asset = MediaAsset.objects.get()
    assert sorted(asset.tags.values_list("name", flat=True)) == ["ads", "spring"]


def test_urls_are_imported_and_internal_ones_refused(
    workspace, tmp_path, settings, valid_video
):
    # given
    with https_server(tmp_path) as server:
        settings.MEDIA_IMPORT_TRUSTED_HOSTS = ["localhost"]
        settings.MEDIA_IMPORT_ALLOWED_PORTS = [443, server.port]
        settings.MEDIA_IMPORT_CA_FILE = str(server.ca_file)
        server.serve_bytes("/videos/launch%20day.mp4", valid_video.read_bytes())
        server.redirect("/moved", "https://169.254.169.254/latest/meta-data/")
        report = tmp_path / "report.json"
        # when
        run(
            "--workspace", workspace.slug, server.url("/videos/launch%20day.mp4"),
            server.url("/moved"), "file:///etc/passwd", "--report", str(report),
            expect_refusals=True,
        )  # fmt: skip
    # then
    asset = MediaAsset.objects.get()
    assert asset.original_filename == "launch day.mp4"
    assert asset.is_tiktok_ready
    refused = json.loads(report.read_text())["refused"]
    assert [row["source"] for row in refused] == [
        server.url("/moved"),
        "file:///etc/passwd",
    ]
    assert "169.254.169.254" in refused[0]["reason"]
    assert list(tmp_path.glob("postdeck-download-*")) == []


def test_no_progress_bar_when_not_on_a_terminal(workspace, valid_video, capsys):
    call_command("import_media", "--workspace", workspace.slug, str(valid_video))
    assert capsys.readouterr().err == ""


def test_a_progress_bar_on_a_terminal(workspace, valid_video, capsys, monkeypatch):
    # given
    from media_library.management.commands import import_media

    monkeypatch.setattr(import_media, "_is_tty", lambda: True)
    # when
    call_command("import_media", "--workspace", workspace.slug, str(valid_video))
    # then
    err = capsys.readouterr().err
    assert "[##############################] 1/1  imported 1" in err


def test_quiet_with_verbosity_zero(workspace, valid_video):
    assert run("--workspace", workspace.slug, str(valid_video), "-v", "0") == ""


def test_an_unknown_workspace_is_an_error(db, valid_video: Path) -> None:
    with pytest.raises(CommandError, match="No workspace with slug 'nope'"):
        call_command("import_media", "--workspace", "nope", str(valid_video))


def test_the_uploader_can_be_named(workspace, staff_user, valid_video: Any) -> None:
    run("--workspace", workspace.slug, "--user", staff_user.username, str(valid_video))
    assert MediaAsset.objects.get().uploaded_by == staff_user
