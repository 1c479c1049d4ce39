"""Storing, de-duplicating, re-probing, tagging and deleting library files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db.models import ProtectedError

from media_library.models import MediaAsset, Tag, VerifiedUrlPrefix
from media_library.selectors import (
    media_asset_ids_by_sha256,
    media_asset_pull_url,
    media_facts_of,
)
from media_library.services.assets import (
    media_asset_create,
    media_asset_delete,
    media_asset_set_cover,
)
from media_library.services.probing import media_asset_probe
from media_library.services.tags import media_asset_add_tags, media_asset_remove_tags
from media_library.tasks import media_asset_probe_task
from media_library.validation import tiktok_problems
from tests.factories.cms import PostFactory
from tests.factories.workspaces import WorkspaceFactory

pytestmark = pytest.mark.django_db


def create(workspace: Any, path: Path, **kwargs: Any) -> Any:
    with path.open("rb") as handle:
        return media_asset_create(
            workspace_id=workspace.pk,
            file=handle,
            original_filename=kwargs.pop("name", path.name),
            **kwargs,
        )


def test_a_video_is_stored_probed_with_previews(workspace, staff_user, valid_video):
    # when
    result = create(workspace, valid_video, uploaded_by=staff_user)
    # then
    asset = MediaAsset.objects.get(pk=result.asset.pk)
    assert result.created
    assert asset.kind == "video"
    assert asset.probe_status == "probed"
    assert asset.is_tiktok_ready
    assert asset.validation_errors == []
    assert (asset.width, asset.height, asset.frame_rate) == (360, 640, 30.0)
    assert asset.uploaded_by == staff_user
    assert asset.file.name.startswith(f"workspaces/{workspace.pk}/media/")
    assert asset.file.name.endswith(".mp4")
    assert default_storage.exists(asset.thumbnail.name)
    assert default_storage.exists(asset.cover_image.name)
    assert asset.file.read() == valid_video.read_bytes()


def test_the_stored_name_is_random_and_follows_the_content(workspace, photo_png):
    # when: a real PNG whose name says nothing about its type
    result = create(workspace, photo_png, name="../../etc/passwd")
    # then
    name = result.asset.file.name
    assert name.startswith(f"workspaces/{workspace.pk}/media/")
    assert name.endswith(".png")
    assert "passwd" not in name
    assert result.asset.original_filename == "passwd"


def test_a_readable_file_outside_the_rules_is_stored_not_ready(workspace, video_61fps):
    # when
    result = create(workspace, video_61fps)
    # then
    assert result.created
    assert not result.asset.is_tiktok_ready
    assert result.asset.validation_errors == [
        "This video runs at 61 frames per second, but TikTok accepts 23 to 60. "
        'Use "Make TikTok-ready" to convert it to 30 frames per second.'
    ]


def test_the_same_bytes_are_recognised_not_stored_twice(workspace, valid_video):
    # given
    first = create(workspace, valid_video)
    files_before = default_storage.listdir(f"workspaces/{workspace.pk}/media")[1]
    # when
    second = create(workspace, valid_video, name="copy-of-valid.mp4")
    # then
    assert not second.created
    assert second.asset.pk == first.asset.pk
    assert MediaAsset.objects.count() == 1
    assert default_storage.listdir(f"workspaces/{workspace.pk}/media")[1] == (
        files_before
    )


def test_the_same_bytes_in_another_workspace_are_a_separate_asset(
    workspace, valid_video
):
    # given
    other = WorkspaceFactory()
    create(workspace, valid_video)
    # when
    result = create(other, valid_video)
    # then
    assert result.created
    assert MediaAsset.objects.count() == 2


def test_tags_are_created_per_workspace_and_case_insensitively(workspace, photo_jpeg):
    # when
    result = create(workspace, photo_jpeg, tags=["Summer", " summer ", "launch"])
    # then
    assert sorted(result.asset.tags.values_list("name", flat=True)) == [
        "Summer",
        "launch",
    ]
    assert Tag.objects.filter(workspace=workspace).count() == 2


def test_bulk_tagging_uses_each_assets_own_workspace(
    workspace, photo_jpeg, valid_video
):
    # given
    other = WorkspaceFactory()
    mine = create(workspace, photo_jpeg).asset
    theirs = create(other, valid_video).asset
    # when
    added = media_asset_add_tags(asset_ids=[mine.pk, theirs.pk], names=["promo"])
    added_again = media_asset_add_tags(asset_ids=[mine.pk, theirs.pk], names=["PROMO"])
    # then
    assert (added, added_again) == (2, 0)
    assert mine.tags.get().workspace == workspace
    assert theirs.tags.get().workspace == other


def test_tags_can_be_removed_in_bulk(workspace, photo_jpeg):
    # given
    asset = create(workspace, photo_jpeg, tags=["promo", "keep"]).asset
    # when
    removed = media_asset_remove_tags(asset_ids=[asset.pk], names=["Promo"])
    # then
    assert removed == 1
    assert list(asset.tags.values_list("name", flat=True)) == ["keep"]


def test_probing_again_refreshes_facts_and_previews(
    workspace, valid_video, django_capture_on_commit_callbacks
):
    # given: an asset whose facts went stale
    asset = create(workspace, valid_video).asset
    old_thumbnail = asset.thumbnail.name
    MediaAsset.objects.filter(pk=asset.pk).update(
        width=1, is_tiktok_ready=False, validation_errors=["stale"]
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_probe_task(asset.pk)  # the task body, as a worker runs it
    # then
    asset.refresh_from_db()
    assert asset.width == 360
    assert asset.is_tiktok_ready
    assert asset.validation_errors == []
    assert asset.thumbnail.name != old_thumbnail
    assert not default_storage.exists(old_thumbnail)
    assert default_storage.exists(asset.thumbnail.name)


def test_a_stored_file_that_no_longer_reads_is_marked_failed(workspace, valid_video):
    # given
    asset = create(workspace, valid_video).asset
    default_storage.delete(asset.file.name)
    default_storage.save(asset.file.name, __import__("io").BytesIO(b"garbage" * 100))
    # when
    media_asset_probe(asset_id=asset.pk)
    # then
    asset.refresh_from_db()
    assert asset.probe_status == "failed"
    assert not asset.is_tiktok_ready
    assert "not a video" in asset.probe_error


def test_probing_a_deleted_asset_does_nothing(db):
    assert media_asset_probe(asset_id=987654) is None


def test_choosing_a_cover_moment_renders_that_frame(
    workspace, valid_video, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, valid_video).asset
    old_cover = asset.cover_image.name
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        media_asset_set_cover(asset_id=asset.pk, cover_timestamp_ms=800)
    media_asset_probe_task(asset.pk)  # what the queued task does on a worker
    # then
    asset.refresh_from_db()
    assert len(callbacks) == 1
    assert asset.cover_timestamp_ms == 800
    assert asset.cover_image.name != old_cover


def test_a_cover_moment_past_the_end_is_refused(workspace, valid_video):
    asset = create(workspace, valid_video).asset
    with pytest.raises(Exception, match="between 0 and 1000 ms"):
        media_asset_set_cover(asset_id=asset.pk, cover_timestamp_ms=5000)


def test_deleting_an_asset_removes_its_files(
    workspace, valid_video, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, valid_video).asset
    names = [asset.file.name, asset.thumbnail.name, asset.cover_image.name]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_delete(asset_id=asset.pk)
    # then
    assert not MediaAsset.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_an_asset_used_by_a_post_cannot_be_deleted(workspace, photo_jpeg):
    # given
    asset = create(workspace, photo_jpeg).asset
    post = PostFactory(workspace=workspace)
    post.post_media.create(asset=asset, position=0)
    # when / then
    with pytest.raises(ProtectedError):
        media_asset_delete(asset_id=asset.pk)
    assert default_storage.exists(asset.file.name)


def test_stored_facts_give_the_same_verdict_as_the_probe(workspace, video_61fps):
    # given
    asset = create(workspace, video_61fps).asset
    # then
    assert tiktok_problems(media_facts_of(asset)) == asset.validation_errors


def test_known_digests_map_to_asset_ids(workspace, photo_jpeg):
    asset = create(workspace, photo_jpeg).asset
    assert media_asset_ids_by_sha256(workspace_id=workspace.pk) == {
        asset.sha256: asset.pk
    }


def test_pull_url_only_under_a_verified_prefix(workspace, photo_jpeg, settings):
    # given
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": "https://cdn.example.com/media/"},
        },
    }
    asset = create(workspace, photo_jpeg).asset
    # when / then
    assert media_asset_pull_url(asset) is None
    VerifiedUrlPrefix.objects.create(prefix="https://cdn.example.com/other/")
    assert media_asset_pull_url(asset) is None
    VerifiedUrlPrefix.objects.create(prefix="https://CDN.example.com/media/")
    assert media_asset_pull_url(asset) == (
        f"https://cdn.example.com/media/{asset.file.name}"
    )


def test_pull_url_drops_query_string_signatures(workspace, photo_jpeg, settings):
    # given: storage URLs signed like S3's query-string auth
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": "https://cdn.example.com/media/"},
        },
    }
    asset = create(workspace, photo_jpeg).asset
    VerifiedUrlPrefix.objects.create(prefix="https://cdn.example.com/media/")
    asset.file.storage.url = lambda name: (  # type: ignore[method-assign]
        f"https://cdn.example.com/media/{name}?X-Amz-Signature=abc"
    )
    # then
    assert media_asset_pull_url(asset) == (
        f"https://cdn.example.com/media/{asset.file.name}"
    )


@pytest.mark.parametrize(
    "prefix",
    [
        "http://cdn.example.com/media/",
        "https://cdn.example.com/media",
        "https://203.0.113.7/media/",
        "https://[2001:db8::1]/media/",
        "https://cdn.example.com:8443/media/",
        "https://user:secret@cdn.example.com/media/",
        "https://cdn.example.com/media/?x=1/",
    ],
)
def test_only_tiktok_style_url_prefixes_can_be_verified(prefix: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="A verified URL prefix must"):
        VerifiedUrlPrefix(prefix=prefix).full_clean()
