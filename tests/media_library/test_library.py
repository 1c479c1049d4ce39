"""The media library grid: cards, badges in the verdict's words, upload, live feed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media_library.models import MediaAsset, MediaConversion
from tests.factories.media import MediaAssetFactory, MediaConversionFactory
from tests.factories.workspaces import WorkspaceFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:media_library_mediaasset_changelist")
LIVE = reverse("admin:media_library_mediaasset_live")
ADD = reverse("admin:media_library_mediaasset_add")
TEN_FPS = "The frame rate is 10 fps; TikTok accepts 23 to 60 fps."


def upload(client: Any, workspace_id: Any, path: Path, name: str | None = None) -> Any:
    return client.post(
        ADD,
        {
            "workspace": workspace_id,
            "file": SimpleUploadedFile(name or path.name, path.read_bytes()),
        },
        headers={"X-Postdeck-Upload": "1"},
    )


def card_of(page: str, asset: MediaAsset) -> str:
    match = re.search(
        rf'<article class="media-card" id="media-card-{asset.pk}".*?</article>',
        page,
        re.S,
    )
    assert match, f"no card for asset {asset.pk}"
    return match.group(0)


def test_each_asset_is_a_card_whose_badge_says_the_verdict(staff_client, workspace):
    # given: a ready video, a 10 fps one, one being read and one unreadable
    ready = MediaAssetFactory(workspace=workspace, probe_status="probed")
    slow = MediaAssetFactory(
        workspace=workspace,
        probe_status="probed",
        is_tiktok_ready=False,
        validation_errors=[TEN_FPS],
        frame_rate=10.0,
    )
    pending = MediaAssetFactory(
        workspace=workspace, probe_status="pending", is_tiktok_ready=False
    )
    broken = MediaAssetFactory(
        workspace=workspace,
        probe_status="failed",
        is_tiktok_ready=False,
        probe_error="The file is cut short.",
    )
    # when
    page = staff_client.get(CHANGELIST).content.decode()
    # then
    assert 'readiness-ready">Ready for TikTok<' in card_of(page, ready)
    slow_card = card_of(page, slow)
    assert "Not ready for TikTok" in slow_card
    assert TEN_FPS in slow_card
    assert "Ready for TikTok<" not in slow_card.replace("Not ready for TikTok<", "")
    assert 'data-live="true"' in card_of(page, pending)
    assert "Checking the file" in card_of(page, pending)
    assert "The file is cut short." in card_of(page, broken)
    assert "Probed and within every TikTok format rule" not in page


def test_the_asset_page_uses_the_same_words_as_the_card(staff_client, workspace):
    slow = MediaAssetFactory(
        workspace=workspace,
        probe_status="probed",
        is_tiktok_ready=False,
        validation_errors=[TEN_FPS],
    )
    page = staff_client.get(
        reverse("admin:media_library_mediaasset_change", args=[slow.pk])
    ).content.decode()
    checks = page.split('id="tiktok-checks"', 1)[1].split("</div>", 1)[0]
    assert "Not ready for TikTok" in checks
    assert TEN_FPS in checks
    assert "within every" not in checks


@pytest.mark.parametrize(
    ("ready", "expected"),
    [("yes", "ready"), ("no", "slow"), ("checking", "pending"), ("unreadable", "bad")],
)
def test_the_readiness_filter_matches_the_badges(staff_client, workspace, ready,
                                                 expected):  # fmt: skip
    names = {
        "ready": {"probe_status": "probed"},
        "slow": {"probe_status": "probed", "is_tiktok_ready": False},
        "pending": {"probe_status": "pending", "is_tiktok_ready": False},
        "bad": {"probe_status": "failed", "is_tiktok_ready": False},
    }
    for name, fields in names.items():
        MediaAssetFactory(workspace=workspace, original_filename=name, **fields)
    response = staff_client.get(CHANGELIST, {"ready": ready})
    assert [a.original_filename for a in response.context["cl"].result_list] == [
        expected
    ]


def test_the_grid_shows_only_my_workspaces(staff_client, workspace):
    mine = MediaAssetFactory(workspace=workspace, original_filename="mine.mp4")
    theirs = MediaAssetFactory(original_filename="theirs.mp4")
    page = staff_client.get(CHANGELIST).content.decode()
    assert f'id="media-card-{mine.pk}"' in page
    assert f'id="media-card-{theirs.pk}"' not in page
    assert "theirs.mp4" not in page
    # and the upload box offers only my workspace
    assert f'<option value="{theirs.workspace_id}"' not in page
    assert f'<option value="{workspace.pk}"' in page


def test_the_grid_and_live_feed_run_the_same_queries_for_4_or_24_assets(
    staff_client, workspace
):
    def count(url: str, params: dict[str, str] | None = None) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url, params or {}).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for index in range(n):
            asset = MediaAssetFactory(workspace=workspace, probe_status="pending")
            if index % 2:
                MediaConversionFactory(source=asset)

    add(4)

    def ids() -> str:
        return ",".join(
            str(pk) for pk in MediaAsset.objects.values_list("pk", flat=True)
        )

    few = (count(CHANGELIST), count(LIVE, {"ids": ids()}))
    add(20)
    assert (count(CHANGELIST), count(LIVE, {"ids": ids()})) == few


def test_several_files_upload_one_request_each_and_answer_with_cards(
    staff_client, workspace, valid_video, photo_png, tmp_path
):
    # when
    first = upload(staff_client, workspace.pk, valid_video)
    second = upload(staff_client, workspace.pk, photo_png)
    again = upload(staff_client, workspace.pk, valid_video, name="copy.mp4")
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"not a video at all" * 10)
    refused = upload(staff_client, workspace.pk, junk)
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    video = MediaAsset.objects.get(pk=first.json()["id"])
    assert video.workspace_id == workspace.pk
    assert f'id="media-card-{video.pk}"' in first.json()["card"]
    assert first.json()["message"] == "Ready for TikTok"
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["id"] == video.pk
    assert refused.status_code == 400
    assert "not a video" in refused.json()["error"]
    assert MediaAsset.objects.count() == 2


def test_an_upload_into_a_workspace_i_am_not_in_is_refused(staff_client, valid_video):
    other = WorkspaceFactory()
    response = upload(staff_client, other.pk, valid_video)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": "Choose one of your workspaces for the file.",
    }
    assert not MediaAsset.objects.exists()


def test_the_live_feed_answers_only_for_my_workspaces(staff_client, workspace):
    mine = MediaAssetFactory(workspace=workspace, probe_status="pending")
    theirs = MediaAssetFactory(probe_status="pending")
    answer = staff_client.get(LIVE, {"ids": f"{mine.pk},{theirs.pk}"}).json()
    assert set(answer["cards"]) == {str(mine.pk)}
    assert answer["cards"][str(mine.pk)]["live"] is True


def test_a_card_stays_live_while_its_conversion_runs(staff_client, workspace):
    source = MediaAssetFactory(
        workspace=workspace, probe_status="probed", is_tiktok_ready=False
    )
    conversion = MediaConversionFactory(source=source)
    live = staff_client.get(LIVE, {"ids": source.pk}).json()["cards"][str(source.pk)]
    assert live["live"] is True
    assert "Converting a TikTok-ready copy" in live["html"]
    MediaConversion.objects.filter(pk=conversion.pk).update(status="succeeded")
    done = staff_client.get(LIVE, {"ids": source.pk}).json()["cards"][str(source.pk)]
    assert done["live"] is False
    assert "Converting" not in done["html"]
