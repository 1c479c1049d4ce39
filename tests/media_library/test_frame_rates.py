"""Frame rates of real generated files, as TikTok and players read them (§7)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from media_library.inspection import inspect_local_file
from media_library.models import MediaAsset, MediaConversion
from media_library.services.assets import media_asset_create
from media_library.services.conversions import (
    media_conversion_request,
    media_conversion_run,
)
from tests.media_library import media

MS = Fraction(1, 1000)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("frame-rates")


def frames_at(*parts: tuple[int, float]) -> list[Fraction]:
    """Frame times for ``(fps, seconds)`` stretches, one after another."""
    times: list[Fraction] = []
    start = Fraction(0)
    for fps, seconds in parts:
        count = round(fps * seconds)
        times += [start + Fraction(index, fps) for index in range(count)]
        start += Fraction(count, fps)
    return times


@pytest.fixture(scope="module")
def vfr_10_and_60(files: Path) -> Path:
    # 15 frames at 10 fps, then 60 at 60 fps: 75 frames in 2.5 s, so the
    # header's average says 30 fps.
    return clip(
        files / "vfr-10-60.mp4",
        seconds=2.5,
        fps=30,
        frame_times=frames_at((10, 1.5), (60, 1.0)),
    )


def clip(path: Path, **options: Any) -> Path:
    """A square clip: the smallest size TikTok takes, so encoding stays quick."""
    return media.video(path, width=360, height=360, **options)


def probe(path: Path) -> Any:
    return inspect_local_file(path, original_filename=path.name)


def test_the_issue_example_60_fps_in_milliseconds_is_60_and_ready(
    files: Path,
) -> None:
    # given: 3 s of 60 fps H.264 stamped in milliseconds (16 and 17 ms apart)
    path = clip(files / "60-ms.mp4", seconds=3.0, fps=60, time_base=MS)
    # when
    inspected = probe(path)
    # then: the header's average is the 60.006 the issue saw
    averages = [
        float(Fraction(rate)) for rate in inspected.details["nominal_frame_rates"]
    ]
    assert any(abs(average - 60.006) < 0.0005 for average in averages)
    assert inspected.facts.frame_rate == Fraction(60)
    assert inspected.details["frame_rate"] == "60/1"
    assert inspected.details["variable_frame_rate"] is False
    assert inspected.problems == ()


def test_a_truly_constant_60_06_fps_is_refused(files: Path) -> None:
    path = clip(files / "60.06.mp4", seconds=3.0, fps=Fraction(6006, 100))
    inspected = probe(path)
    assert inspected.facts.frame_rate == Fraction(6006, 100)
    assert inspected.problems == (
        "This video runs at 60.06 frames per second, but TikTok accepts 23 to 60. "
        'Use "Make TikTok-ready" to convert it to 30 frames per second.',
    )


@pytest.mark.parametrize(
    ("fps", "time_base"),
    [
        (Fraction(30000, 1001), None),
        (Fraction(30000, 1001), MS),
        (Fraction(30), MS),
        (Fraction(24000, 1001), MS),
        (Fraction(24), MS),
        (Fraction(25), MS),
        (Fraction(60000, 1001), MS),
    ],
)
def test_legal_rates_read_exactly_whatever_the_time_base(
    files: Path, fps: Fraction, time_base: Fraction | None
) -> None:
    # given: 3 s, so 30 and 29.97 differ by more than millisecond rounding
    name = f"{float(fps):.3f}-{time_base or 'native'}.mp4".replace("/", "_")
    path = clip(files / name, seconds=3.0, fps=fps, time_base=time_base)
    # when
    inspected = probe(path)
    # then
    assert inspected.facts.frame_rate == fps
    assert not inspected.facts.variable_frame_rate
    assert inspected.problems == ()


def test_22_9_fps_is_refused(files: Path) -> None:
    inspected = probe(clip(files / "22.9.mp4", fps=Fraction(229, 10)))
    assert inspected.problems[0].startswith("This video runs at 22.9 frames per")


def test_a_header_of_30_fps_over_spans_at_10_and_60_is_variable_and_refused(
    vfr_10_and_60: Path,
) -> None:
    # when
    inspected = probe(vfr_10_and_60)
    # then
    details = inspected.details
    assert details["variable_frame_rate"] is True
    assert (details["min_fps"], details["max_fps"]) == (10.0, 60.0)
    assert inspected.facts.frame_rate == Fraction(30)
    assert inspected.problems == (
        "Variable frame rate between 10 and 60 frames per second: parts of this "
        "video run outside the 23 to 60 that TikTok accepts. Use "
        '"Make TikTok-ready" to convert it to a constant 30 frames per second.',
    )


def test_a_variable_rate_between_30_and_60_is_ready(files: Path) -> None:
    # given: phones drop from 60 to 30 fps in low light
    path = clip(
        files / "vfr-30-60.mp4",
        seconds=2.0,
        fps=60,
        time_base=MS,
        frame_times=frames_at((60, 0.5), (30, 1.0), (60, 0.5)),
    )
    # when
    inspected = probe(path)
    # then
    assert inspected.details["variable_frame_rate"] is True
    assert inspected.problems == ()


@pytest.mark.django_db
def test_make_tiktok_ready_turns_the_variable_rate_into_a_constant_30(
    workspace: Any, staff_client: Any, vfr_10_and_60: Path
) -> None:
    # given
    with vfr_10_and_60.open("rb") as handle:
        source = media_asset_create(
            workspace_id=workspace.pk, file=handle, original_filename="vfr.mp4"
        ).asset
    page = staff_client.get(
        reverse("admin:media_library_mediaasset_change", args=[source.pk])
    ).content.decode()
    assert "Variable frame rate between 10 and 60 frames per second" in page
    assert "variable, 10 to 60 fps (30 on average)" in page
    assert "Probed and within every TikTok format rule" not in page
    # when
    conversion = media_conversion_request(asset_id=source.pk, requested_by=None)
    media_conversion_run(conversion_id=conversion.pk)
    # then
    conversion.refresh_from_db()
    assert conversion.status == MediaConversion.Status.SUCCEEDED, conversion.error
    result = MediaAsset.objects.get(pk=conversion.result_id)
    assert result.is_tiktok_ready, result.validation_errors
    assert result.frame_rate == 30.0
    assert result.probe_details["variable_frame_rate"] is False
    assert abs((result.duration_seconds or 0) - 2.5) < 0.1
