"""'Make TikTok-ready': a failing asset in, a new probed asset out."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from media_library.models import MediaAsset, MediaConversion
from media_library.services.assets import media_asset_create
from media_library.services.conversions import (
    media_conversion_request,
    media_conversion_run,
    media_conversion_sweep,
)
from media_library.tasks import media_conversion_run_task

pytestmark = pytest.mark.django_db


def create(workspace: Any, path: Path, **kwargs: Any) -> MediaAsset:
    with path.open("rb") as handle:
        return media_asset_create(
            workspace_id=workspace.pk,
            file=handle,
            original_filename=path.name,
            **kwargs,
        ).asset


def convert(asset: MediaAsset, user: Any = None) -> MediaConversion:
    conversion = media_conversion_request(asset_id=asset.pk, requested_by=user)
    media_conversion_run_task(conversion.pk)  # the task body, as a worker runs it
    conversion.refresh_from_db()
    return conversion


def test_a_61_fps_video_becomes_a_30_fps_h264_mp4(workspace, staff_user, video_61fps):
    # given
    source = create(workspace, video_61fps, tags=["campaign"])
    # when
    conversion = convert(source, staff_user)
    # then
    assert conversion.status == MediaConversion.Status.SUCCEEDED
    assert conversion.progress == 1.0
    result = conversion.result
    assert result is not None
    assert result.is_tiktok_ready, result.validation_errors
    assert (result.mime_type, result.video_codec) == ("video/mp4", "h264")
    assert result.frame_rate == 30.0
    assert (result.width, result.height) == (360, 640)
    assert abs((result.duration_seconds or 0) - 0.5) < 0.1
    assert result.source_asset == source
    assert result.uploaded_by == staff_user
    assert result.original_filename == "fps61 (TikTok-ready).mp4"
    assert list(result.tags.values_list("name", flat=True)) == ["campaign"]
    # and the source is left as it was
    source.refresh_from_db()
    assert not source.is_tiktok_ready


def test_a_too_small_video_is_scaled_up_keeping_its_shape(workspace, video_too_small):
    # given: 320 x 240
    source = create(workspace, video_too_small)
    # when
    result = convert(source).result
    # then
    assert result is not None
    assert (result.width, result.height) == (480, 360)
    assert result.is_tiktok_ready


def test_an_mkv_with_sound_becomes_an_mp4_with_aac(workspace, video_mkv):
    # when
    result = convert(create(workspace, video_mkv)).result
    # then
    assert result is not None
    assert result.mime_type == "video/mp4"
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert result.is_tiktok_ready


def test_a_png_becomes_a_jpeg(workspace, photo_png):
    # when
    result = convert(create(workspace, photo_png)).result
    # then
    assert result is not None
    assert (result.image_format, result.mime_type) == ("JPEG", "image/jpeg")
    assert (result.width, result.height) == (800, 600)
    assert result.is_tiktok_ready


def test_an_oversize_photo_is_scaled_to_1080p(workspace, photo_oversize):
    # given: 2400 x 3200 portrait
    result = convert(create(workspace, photo_oversize)).result
    # then
    assert result is not None
    assert (result.width, result.height) == (1080, 1440)
    assert result.is_tiktok_ready


def test_a_sideways_photo_is_turned_upright_and_loses_its_exif(
    workspace, photo_rotated, settings
):
    # given: a 400 x 300 JPEG whose EXIF says "turn me"; made refusable as PNG-like
    source = create(workspace, photo_rotated)
    MediaAsset.objects.filter(pk=source.pk).update(
        is_tiktok_ready=False, validation_errors=["pretend"]
    )
    # when
    result = convert(source).result
    # then
    assert result is not None
    assert (result.width, result.height) == (300, 400)
    image = Image.open(io.BytesIO(default_storage.open(result.file.name).read()))
    assert 0x0112 not in image.getexif()


def test_progress_is_recorded_while_converting(workspace, video_61fps, monkeypatch):
    # given
    source = create(workspace, video_61fps)
    conversion = media_conversion_request(asset_id=source.pk)
    seen: list[float] = []
    from media_library.services import conversions

    original = conversions.run_worker

    def spy(*args: Any, **kwargs: Any) -> Any:
        report = kwargs["on_progress"]

        def recording(progress: float) -> None:
            report(progress)
            seen.append(
                MediaConversion.objects.values_list("progress", flat=True).get(
                    pk=conversion.pk
                )
            )

        kwargs["on_progress"] = recording
        return original(*args, **kwargs)

    monkeypatch.setattr(conversions, "run_worker", spy)
    # when
    media_conversion_run(conversion_id=conversion.pk)
    # then
    assert seen
    assert all(0 <= value < 1 for value in seen)
    assert seen == sorted(seen)


def test_a_ready_asset_is_not_converted(workspace, valid_video):
    source = create(workspace, valid_video)
    with pytest.raises(ValidationError, match="already TikTok-ready"):
        media_conversion_request(asset_id=source.pk)


def test_a_video_over_ten_minutes_is_not_converted(workspace, video_too_long):
    source = create(workspace, video_too_long)
    with pytest.raises(ValidationError, match="cannot shorten it"):
        media_conversion_request(asset_id=source.pk)


def test_one_conversion_at_a_time_per_asset(workspace, photo_png):
    # given
    source = create(workspace, photo_png)
    media_conversion_request(asset_id=source.pk)
    # when / then
    with pytest.raises(ValidationError, match="already being converted"):
        media_conversion_request(asset_id=source.pk)
    assert MediaConversion.objects.count() == 1


def test_the_task_is_queued_after_commit(
    workspace, photo_png, django_capture_on_commit_callbacks
):
    source = create(workspace, photo_png)
    with django_capture_on_commit_callbacks() as callbacks:
        media_conversion_request(asset_id=source.pk)
    assert len(callbacks) == 1


def test_a_second_delivery_of_the_task_does_nothing(workspace, photo_png):
    # given
    conversion = convert(create(workspace, photo_png))
    # when
    again = media_conversion_run(conversion_id=conversion.pk)
    # then
    assert again.status == MediaConversion.Status.SUCCEEDED
    assert again.result_id == conversion.result_id
    assert MediaAsset.objects.count() == 2


def test_a_source_that_became_unreadable_fails_in_words(workspace, photo_png):
    # given
    source = create(workspace, photo_png)
    conversion = media_conversion_request(asset_id=source.pk)
    default_storage.delete(source.file.name)
    default_storage.save(source.file.name, io.BytesIO(b"not a picture"))
    # when
    result = media_conversion_run(conversion_id=conversion.pk)
    # then
    assert result.status == MediaConversion.Status.FAILED
    assert result.result is None
    assert "could not be converted" in result.error
    assert MediaAsset.objects.count() == 1


def test_a_conversion_whose_worker_went_silent_is_failed_by_the_sweep(
    workspace, photo_png
):
    # given: a worker claimed it, then died 11 minutes ago
    source = create(workspace, photo_png)
    conversion = media_conversion_request(asset_id=source.pk)
    long_ago = timezone.now() - timedelta(minutes=11)
    MediaConversion.objects.filter(pk=conversion.pk).update(
        status=MediaConversion.Status.RUNNING, heartbeat_at=long_ago
    )
    # when
    failed, resent = media_conversion_sweep()
    # then
    conversion.refresh_from_db()
    assert (failed, resent) == (1, 0)
    assert conversion.status == MediaConversion.Status.FAILED
    assert "worker stopped" in conversion.error
    # and the asset can be converted again
    assert media_conversion_request(asset_id=source.pk).pk != conversion.pk


def test_a_conversion_nobody_picked_up_is_sent_again(
    workspace, photo_png, django_capture_on_commit_callbacks
):
    # given
    source = create(workspace, photo_png)
    conversion = media_conversion_request(asset_id=source.pk)
    MediaConversion.objects.filter(pk=conversion.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        failed, resent = media_conversion_sweep()
    # then
    assert (failed, resent) == (0, 1)
    assert len(callbacks) == 1


def test_a_running_conversion_with_a_live_worker_is_left_alone(workspace, photo_png):
    source = create(workspace, photo_png)
    conversion = media_conversion_request(asset_id=source.pk)
    MediaConversion.objects.filter(pk=conversion.pk).update(
        status=MediaConversion.Status.RUNNING, heartbeat_at=timezone.now()
    )
    assert media_conversion_sweep() == (0, 0)
