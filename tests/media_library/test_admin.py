"""The media library admin: upload, list, detail, actions, always workspace-scoped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media_library.models import MediaAsset, MediaConversion, Tag, VerifiedUrlPrefix
from media_library.services.assets import media_asset_create
from tests.factories.media import MediaAssetFactory
from tests.factories.workspaces import WorkspaceFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:media_library_mediaasset_changelist"


def create(workspace: Any, path: Path, **kwargs: Any) -> MediaAsset:
    with path.open("rb") as handle:
        return media_asset_create(
            workspace_id=workspace.pk,
            file=handle,
            original_filename=path.name,
            **kwargs,
        ).asset


def change_url(asset: MediaAsset) -> str:
    return reverse("admin:media_library_mediaasset_change", args=[asset.pk])


def upload(client: Any, workspace: Any, path: Path, name: str | None = None) -> Any:
    return client.post(
        reverse("admin:media_library_mediaasset_add"),
        {
            "workspace": workspace.pk,
            "upload": SimpleUploadedFile(name or path.name, path.read_bytes()),
            "tag_names": "launch, Summer",
        },
    )


def test_an_upload_is_probed_before_the_response(staff_client, workspace, valid_video):
    # when
    response = upload(staff_client, workspace, valid_video)
    # then
    asset = MediaAsset.objects.get()
    assert response.status_code == 302
    assert response.url == change_url(asset)
    assert asset.probe_status == "probed"
    assert asset.is_tiktok_ready
    assert asset.thumbnail
    assert sorted(asset.tags.values_list("name", flat=True)) == ["Summer", "launch"]


def test_a_large_upload_is_probed_from_its_temporary_file_not_memory(
    staff_client, workspace, valid_video, tmp_path, monkeypatch
):
    # given: a real MP4 padded past FILE_UPLOAD_MAX_MEMORY_SIZE with a "free" box
    padding = 3 * 1024 * 1024
    big = tmp_path / "big.mp4"
    big.write_bytes(
        valid_video.read_bytes()
        + (padding + 8).to_bytes(4, "big")
        + b"free"
        + b"\0" * padding
    )
    from media_library import storage

    def no_copies(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the upload was copied instead of used in place")

    monkeypatch.setattr(storage, "_bounded_temporary_copy", no_copies)
    # when
    response = upload(staff_client, workspace, big)
    # then
    asset = MediaAsset.objects.get()
    assert response.status_code == 302
    assert asset.size_bytes == big.stat().st_size
    assert asset.is_tiktok_ready


def test_an_upload_outside_the_rules_is_stored_with_a_warning(
    staff_client, workspace, video_61fps
):
    # when
    response = upload(staff_client, workspace, video_61fps)
    # then
    asset = MediaAsset.objects.get()
    page = staff_client.get(response.url).content.decode()
    assert not asset.is_tiktok_ready
    assert "TikTok would refuse it as it is" in page
    assert "61 frames per second" in page


def test_an_unreadable_upload_is_refused_on_the_form(staff_client, workspace, tmp_path):
    # given
    fake = tmp_path / "clip.mp4"
    fake.write_bytes(b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")
    # when
    response = upload(staff_client, workspace, fake)
    # then
    assert response.status_code == 200
    assert "not a video (MP4, MOV, WebM)" in response.content.decode()
    assert not MediaAsset.objects.exists()


def test_an_upload_of_a_known_file_shows_the_existing_asset(
    staff_client, workspace, photo_jpeg
):
    # given
    existing = create(workspace, photo_jpeg)
    # when
    response = upload(staff_client, workspace, photo_jpeg, name="again.jpg")
    # then
    assert response.url == change_url(existing)
    assert MediaAsset.objects.count() == 1
    page = staff_client.get(response.url).content.decode()
    assert "already in the library" in page


def test_staff_cannot_upload_into_another_workspace(staff_client, photo_jpeg):
    # given
    other = WorkspaceFactory()
    # when
    response = upload(staff_client, other, photo_jpeg)
    # then
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not MediaAsset.objects.exists()


def test_the_list_shows_thumbnails_tags_and_only_my_workspace(
    staff_client, workspace, valid_video, photo_png
):
    # given
    video = create(workspace, valid_video, tags=["promo"])
    create(workspace, photo_png)
    foreign = MediaAssetFactory(workspace=WorkspaceFactory(), original_filename="x.mp4")
    # when
    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    # then
    assert f'<img src="{video.thumbnail.url}"' in page
    assert "promo" in page
    assert "photo.png" in page
    assert foreign.original_filename not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind__exact": "photo"}, ["photo.png"]),
        ({"ready": "yes"}, ["valid.mp4"]),
        ({"ready": "no"}, ["photo.png"]),
        ({"q": "vali"}, ["valid.mp4"]),
    ],
)
def test_filters_and_search(staff_client, workspace, valid_video, photo_png, query,
                            expected):  # fmt: skip
    # given
    create(workspace, valid_video)
    create(workspace, photo_png)
    # when
    response = staff_client.get(reverse(CHANGELIST), query)
    # then
    shown = [asset.original_filename for asset in response.context["cl"].result_list]
    assert shown == expected


def test_search_by_sha256_prefix_and_tag_filter(
    staff_client, workspace, valid_video, photo_png
):
    # given
    video = create(workspace, valid_video, tags=["promo"])
    create(workspace, photo_png)
    promo = Tag.objects.get(name="promo")
    # when
    by_hash = staff_client.get(reverse(CHANGELIST), {"q": video.sha256[:12]})
    by_tag = staff_client.get(reverse(CHANGELIST), {"tag": promo.pk})
    # then
    assert list(by_hash.context["cl"].result_list) == [video]
    assert list(by_tag.context["cl"].result_list) == [video]


def test_the_tag_filter_offers_only_my_workspaces_tags(staff_client, workspace):
    # given
    Tag.objects.create(workspace=workspace, name="mine")
    Tag.objects.create(workspace_id=WorkspaceFactory().pk, name="theirs")
    # when
    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    # then
    assert "mine (" in page
    assert "theirs" not in page


def test_the_list_runs_the_same_queries_for_3_or_30_rows(staff_client, workspace):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse(CHANGELIST)).status_code == 200
        return len(queries)

    # given
    tag = Tag.objects.create(workspace=workspace, name="t")
    for _ in range(3):
        MediaAssetFactory(workspace=workspace).tags.add(tag)
    few = count_queries()
    for _ in range(27):
        MediaAssetFactory(workspace=workspace).tags.add(tag)
    # then
    assert count_queries() == few


def test_the_detail_page_plays_the_video_and_shows_the_probe(
    staff_client, workspace, video_61fps
):
    # given
    asset = create(workspace, video_61fps)
    # when
    page = staff_client.get(change_url(asset)).content.decode()
    # then
    assert '<video id="asset-player" controls' in page
    assert f'src="{asset.file.url}"' in page
    assert f'poster="{asset.cover_image.url}"' in page
    assert 'id="probe-results"' in page
    assert "h264" in page
    assert "61.000 fps" in page
    assert "This video runs at 61 frames per second" in page
    assert 'id="make-ready"' in page


def test_no_convert_button_when_converting_cannot_help(
    staff_client, workspace, video_too_long
):
    asset = create(workspace, video_too_long)
    page = staff_client.get(change_url(asset)).content.decode()
    assert "Trim it to 10 minutes or less" in page
    assert 'id="make-ready"' not in page


def test_the_detail_page_of_a_photo_shows_it(staff_client, workspace, photo_jpeg):
    asset = create(workspace, photo_jpeg)
    page = staff_client.get(change_url(asset)).content.decode()
    assert f'<img class="media-full" id="asset-photo" src="{asset.file.url}"' in page
    assert "Ready for TikTok" in page
    assert 'id="make-ready"' not in page


def test_another_workspaces_asset_is_not_found(staff_client):
    foreign = MediaAssetFactory(workspace=WorkspaceFactory())
    assert staff_client.get(change_url(foreign)).status_code == 404
    conversions = reverse(
        "admin:media_library_mediaasset_conversions", args=[foreign.pk]
    )
    assert staff_client.get(conversions).status_code == 404


def test_make_ready_from_the_detail_page_queues_a_conversion(
    staff_client, workspace, staff_user, photo_png, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, photo_png)
    url = reverse("admin:media_library_mediaasset_make_ready", args=[asset.pk])
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(url)
    # then
    assert response.url == change_url(asset)
    conversion = MediaConversion.objects.get()
    assert (conversion.source, conversion.requested_by) == (asset, staff_user)
    assert len(callbacks) == 1
    page = staff_client.get(change_url(asset)).content.decode()
    assert 'id="conversions"' in page
    assert 'data-active="true"' in page
    assert "media_library/conversions.js" in page
    assert staff_client.get(url).status_code == 405


def test_conversion_progress_is_served_as_json(staff_client, workspace, photo_png):
    # given
    asset = create(workspace, photo_png)
    conversion = MediaConversion.objects.create(
        source=asset, status=MediaConversion.Status.RUNNING, progress=0.4
    )
    url = reverse("admin:media_library_mediaasset_conversions", args=[asset.pk])
    # when
    data = json.loads(staff_client.get(url).content)
    # then
    assert data == {
        "conversions": [
            {
                "id": conversion.pk,
                "status": "running",
                "status_label": "Converting",
                "progress": 0.4,
                "is_active": True,
                "error": "",
                "result_url": None,
            }
        ]
    }


def changelist_action(client: Any, action: str, assets: list[MediaAsset], **extra: str):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [a.pk for a in assets], **extra},
        follow=True,
    )


def test_bulk_make_ready_queues_what_can_be_fixed_and_says_why_not(
    staff_client, workspace, photo_png, valid_video
):
    # given
    png = create(workspace, photo_png)
    ready = create(workspace, valid_video)
    # when
    response = changelist_action(staff_client, "make_tiktok_ready", [png, ready])
    # then
    messages = [str(message) for message in response.context["messages"]]
    assert MediaConversion.objects.get().source == png
    assert messages[0].startswith("1 conversion queued")
    assert messages[1] == "valid.mp4 is already TikTok-ready."


def test_bulk_probe_again_queues_one_task_each(
    staff_client, workspace, photo_png, valid_video, django_capture_on_commit_callbacks
):
    assets = [create(workspace, photo_png), create(workspace, valid_video)]
    with django_capture_on_commit_callbacks() as callbacks:
        changelist_action(staff_client, "probe_again", assets)
    assert len(callbacks) == 2


def test_bulk_tagging_and_untagging(staff_client, workspace, photo_png, valid_video):
    # given
    assets = [create(workspace, photo_png), create(workspace, valid_video)]
    # when
    changelist_action(staff_client, "add_tag", assets, tag="spring")
    tagged = MediaAsset.objects.filter(tags__name="spring").count()
    changelist_action(staff_client, "remove_tag", assets[:1], tag="SPRING")
    # then
    assert tagged == 2
    assert MediaAsset.objects.filter(tags__name="spring").get() == assets[1]


def test_a_tag_action_without_a_name_explains_itself(
    staff_client, workspace, photo_png
):
    asset = create(workspace, photo_png)
    response = changelist_action(staff_client, "add_tag", [asset])
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Type a tag name next to the action first."]


def test_changing_the_cover_moment_queues_a_new_cover(
    staff_client, workspace, valid_video, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, valid_video)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            change_url(asset), {"cover_timestamp_ms": 700, "tags": []}
        )
    # then
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.cover_timestamp_ms == 700
    assert len(callbacks) == 1


def test_a_cover_moment_past_the_end_is_refused_on_the_form(
    staff_client, workspace, valid_video
):
    asset = create(workspace, valid_video)
    response = staff_client.post(
        change_url(asset), {"cover_timestamp_ms": 9000, "tags": []}
    )
    assert response.status_code == 200
    assert "The video is 1000 ms long" in response.content.decode()


def test_a_photo_page_has_no_video_fields_and_saves(
    staff_client, workspace, photo_jpeg
):
    # given
    asset = create(workspace, photo_jpeg)
    tag = Tag.objects.create(workspace=workspace, name="promo")
    # when
    page = staff_client.get(change_url(asset)).content.decode()
    response = staff_client.post(change_url(asset), {"tags": [tag.pk]})
    # then
    assert "id_cover_timestamp_ms" not in page
    assert response.status_code == 302
    assert list(asset.tags.all()) == [tag]


def test_tags_of_another_workspace_cannot_be_attached(
    staff_client, workspace, valid_video
):
    # given
    asset = create(workspace, valid_video)
    foreign = Tag.objects.create(workspace_id=WorkspaceFactory().pk, name="theirs")
    # when
    response = staff_client.post(
        change_url(asset), {"cover_timestamp_ms": 0, "tags": [foreign.pk]}
    )
    # then
    assert response.status_code == 200
    assert not asset.tags.exists()


def test_deleting_from_the_admin_goes_through_the_service(
    admin_client, workspace, photo_jpeg, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, photo_jpeg)
    storage = asset.file.storage
    # when
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:media_library_mediaasset_delete", args=[asset.pk]),
            {"post": "yes"},
        )
    # then
    assert not MediaAsset.objects.exists()
    assert not storage.exists(asset.file.name)


@pytest.mark.parametrize(
    "name",
    [
        "admin:media_library_tag_changelist",
        "admin:media_library_mediaconversion_changelist",
        "admin:media_library_verifiedurlprefix_changelist",
        "admin:media_library_verifiedurlprefix_add",
        "admin:media_library_mediaasset_add",
    ],
)
def test_every_media_admin_page_renders(admin_client, workspace, photo_png, name):
    asset = create(workspace, photo_png)
    MediaConversion.objects.create(source=asset, progress=0.25)
    Tag.objects.create(workspace=workspace, name="promo")
    assert admin_client.get(reverse(name)).status_code == 200


def test_a_verified_prefix_must_look_like_tiktoks(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:media_library_verifiedurlprefix_add"),
        {"prefix": "http://10.0.0.1/media", "note": ""},
    )
    # then
    assert response.status_code == 200
    assert "A verified URL prefix must start with https://" in (
        response.content.decode()
    )
    assert not VerifiedUrlPrefix.objects.exists()
