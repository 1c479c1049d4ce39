"""Probing real generated media: what the library reads from each file."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

from PIL import Image

from media_library.inspection import inspect_local_file


def test_a_valid_video_is_measured_and_ready(valid_video: Path) -> None:
    # when
    inspected = inspect_local_file(valid_video, original_filename="valid.mp4")
    # then
    facts = inspected.facts
    assert inspected.kind == "video"
    assert facts.mime_type == "video/mp4"
    assert facts.video_codec == "h264"
    assert facts.audio_codec == "aac"
    assert facts.video_stream_count == 1
    assert (facts.width, facts.height) == (360, 640)
    assert facts.frame_rate == Fraction(30)
    assert abs((facts.duration_seconds or 0) - 1.0) < 0.05
    assert facts.bit_rate and facts.bit_rate > 0
    assert inspected.problems == ()
    assert inspected.is_tiktok_ready


def test_previews_are_jpegs_of_the_chosen_moment(valid_video: Path) -> None:
    # when
    inspected = inspect_local_file(
        valid_video, original_filename="valid.mp4", cover_timestamp_ms=500
    )
    # then
    thumbnail = Image.open(io.BytesIO(inspected.thumbnail_jpeg))
    cover = Image.open(io.BytesIO(inspected.cover_jpeg or b""))
    assert thumbnail.format == cover.format == "JPEG"
    assert max(thumbnail.size) == 320
    assert cover.size == (360, 640)
    assert inspected.cover_timestamp_ms == 500


def test_a_cover_moment_past_the_end_is_clamped_to_the_last_frame(
    valid_video: Path,
) -> None:
    # when
    inspected = inspect_local_file(
        valid_video, original_filename="valid.mp4", cover_timestamp_ms=60_000
    )
    # then
    assert 900 <= inspected.cover_timestamp_ms < 1000


def test_a_61_fps_video_is_readable_but_not_ready(video_61fps: Path) -> None:
    # when
    inspected = inspect_local_file(video_61fps, original_filename="fps61.mp4")
    # then
    assert inspected.facts.frame_rate == Fraction(61)
    assert inspected.problems == (
        "This video runs at 61 frames per second, but TikTok accepts 23 to 60. "
        'Use "Make TikTok-ready" to convert it to 30 frames per second.',
    )


def test_a_too_small_video_is_readable_but_not_ready(video_too_small: Path) -> None:
    # when
    inspected = inspect_local_file(video_too_small, original_filename="small.mp4")
    # then
    assert (inspected.facts.width, inspected.facts.height) == (320, 240)
    assert len(inspected.problems) == 1
    assert "320 x 240 pixels" in inspected.problems[0]
    assert "between 360 and 4096" in inspected.problems[0]


def test_an_eleven_minute_video_is_readable_but_not_ready(
    video_too_long: Path,
) -> None:
    # when
    inspected = inspect_local_file(video_too_long, original_filename="long.mp4")
    # then
    assert abs((inspected.facts.duration_seconds or 0) - 660) < 1
    assert inspected.problems == (
        "This video lasts 11:00, but TikTok accepts at most 10:00 through its API. "
        "Trim it to 10 minutes or less in a video editor.",
    )


def test_a_video_in_an_old_codec_is_not_ready(video_mpeg4: Path) -> None:
    # when
    inspected = inspect_local_file(video_mpeg4, original_filename="old.mp4")
    # then
    assert inspected.facts.video_codec == "mpeg4"
    assert any("encoded with mpeg4" in problem for problem in inspected.problems)


def test_a_webm_vp8_video_is_ready(video_webm: Path) -> None:
    # when
    inspected = inspect_local_file(video_webm, original_filename="clip.webm")
    # then
    assert inspected.facts.mime_type == "video/webm"
    assert inspected.facts.video_codec == "vp8"
    assert inspected.problems == ()


def test_a_matroska_video_needs_converting(video_mkv: Path) -> None:
    # when
    inspected = inspect_local_file(video_mkv, original_filename="clip.mkv")
    # then
    assert inspected.problems == (
        "This video is a Matroska (MKV) file, but TikTok accepts only MP4, MOV and "
        'WebM. Use "Make TikTok-ready" to convert it to MP4.',
    )


def test_two_video_tracks_are_not_ready(video_two_tracks: Path) -> None:
    # when
    inspected = inspect_local_file(video_two_tracks, original_filename="two.mp4")
    # then
    assert inspected.facts.video_stream_count == 2
    assert any("2 video tracks" in problem for problem in inspected.problems)


def test_rotation_is_read_and_the_preview_is_upright(video_rotated: Path) -> None:
    # when
    inspected = inspect_local_file(video_rotated, original_filename="phone.mp4")
    # then: stored landscape, shown portrait
    assert (inspected.facts.width, inspected.facts.height) == (640, 360)
    assert inspected.facts.rotation == 90
    cover = Image.open(io.BytesIO(inspected.cover_jpeg or b""))
    assert cover.size == (360, 640)


def test_a_jpeg_photo_is_ready(photo_jpeg: Path) -> None:
    # when
    inspected = inspect_local_file(photo_jpeg, original_filename="photo.jpg")
    # then
    assert inspected.kind == "photo"
    assert inspected.facts.image_format == "JPEG"
    assert (inspected.facts.width, inspected.facts.height) == (1080, 1350)
    assert inspected.cover_jpeg is None
    assert max(Image.open(io.BytesIO(inspected.thumbnail_jpeg)).size) == 320
    assert inspected.is_tiktok_ready


def test_a_webp_photo_is_ready(photo_webp: Path) -> None:
    # when
    inspected = inspect_local_file(photo_webp, original_filename="photo.webp")
    # then
    assert inspected.facts.image_format == "WEBP"
    assert inspected.is_tiktok_ready


def test_a_png_photo_is_not_ready(photo_png: Path) -> None:
    # when
    inspected = inspect_local_file(photo_png, original_filename="photo.png")
    # then
    assert inspected.problems == (
        "This photo is a PNG image, but TikTok accepts only JPEG and WebP. "
        'Use "Make TikTok-ready" to convert it to JPEG.',
    )


def test_an_oversize_photo_is_not_ready(photo_oversize: Path) -> None:
    # when
    inspected = inspect_local_file(photo_oversize, original_filename="big.jpg")
    # then
    assert len(inspected.problems) == 1
    assert (
        "2400 x 3200 pixels, larger than TikTok's 1080p limit"
        in (inspected.problems[0])
    )


def test_exif_orientation_is_read_and_the_thumbnail_is_upright(
    photo_rotated: Path,
) -> None:
    # when
    inspected = inspect_local_file(photo_rotated, original_filename="rot.jpg")
    # then
    assert inspected.facts.exif_orientation == 6
    assert (inspected.facts.width, inspected.facts.height) == (400, 300)
    thumbnail = Image.open(io.BytesIO(inspected.thumbnail_jpeg))
    assert thumbnail.size[1] > thumbnail.size[0]


def test_the_probe_child_stays_small(valid_video: Path) -> None:
    # when
    inspected = inspect_local_file(valid_video, original_filename="valid.mp4")
    # then: the child reports its own peak memory
    assert 0 < inspected.peak_rss_kib < 200 * 1024
