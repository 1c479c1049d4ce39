"""Cells into values: dates, zones, flags, and what to fix when they are wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.tiktok_integration.bulk.conftest import plan_row
from tiktok_integration.bulk.parsing import ParsedRow, parse_row, text_of
from tiktok_integration.bulk.reading import PlanRow


def parse(**values: object) -> tuple[ParsedRow | None, list[str]]:
    cells = (
        plan_row(media="1", **values) if "media" not in values else plan_row(**values)
    )
    return parse_row(PlanRow(line=7, values=cells), "Europe/Rome")


def problems(**values: object) -> list[str]:
    row, found = parse(**values)
    assert row is None
    return found


def test_a_naive_time_is_read_in_the_rows_zone() -> None:
    row, _ = parse(scheduled_at="2030-07-01T10:00", timezone="America/New_York")
    assert row is not None
    assert row.scheduled_at == datetime(2030, 7, 1, 14, 0, tzinfo=UTC)
    assert row.wall_time == datetime(2030, 7, 1, 10, 0)  # noqa: DTZ001


def test_an_empty_zone_is_the_workspaces() -> None:
    row, _ = parse(scheduled_at="2030-07-01 10:00", timezone="")
    assert row is not None
    assert row.time_zone == "Europe/Rome"
    assert row.scheduled_at == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)


def test_a_misspelt_zone_suggests_the_right_one() -> None:
    assert problems(timezone="Europe/Rom") == [
        "timezone 'Europe/Rom' is not a time zone: did you mean 'Europe/Rome'?"
    ]


@pytest.mark.parametrize("text", ["29/03/2030 10:00", "03-29-2030 10:00", "29.03.2030"])
def test_dates_in_other_formats_say_how_to_write_them(text: str) -> None:
    (problem,) = problems(scheduled_at=text)
    assert f"'{text}' is a date in another format" in problem
    assert "2026-03-29T10:00" in problem


def test_a_time_in_the_spring_gap_is_refused_with_the_choices() -> None:
    (problem,) = problems(scheduled_at="2030-03-31T02:30")
    assert "does not exist in Europe/Rome" in problem
    assert "Choose 01:59 or 03:00" in problem


def test_a_repeated_time_needs_an_offset() -> None:
    (problem,) = problems(scheduled_at="2030-10-27T02:30")
    assert "happens twice" in problem
    assert "2030-10-27T02:30+01:00 for the second" in problem
    first, _ = parse(scheduled_at="2030-10-27T02:30+02:00")
    second, _ = parse(scheduled_at="2030-10-27T02:30+01:00")
    assert first is not None and second is not None
    assert (first.fold, second.fold) == (0, 1)
    assert second.scheduled_at == datetime(2030, 10, 27, 1, 30, tzinfo=UTC)


def test_an_offset_the_zone_does_not_have() -> None:
    (problem,) = problems(scheduled_at="2030-07-01T10:00+05:00")
    assert "offset that Europe/Rome does not have" in problem


def test_every_column_is_read() -> None:
    row, _ = parse(
        account="@Sandbox.Public", media="12|" + "a" * 64, mode="DRAFT",
        privacy_level="public_to_everyone", allow_comment="yes", allow_duet="1",
        allow_stitch="TRUE", brand_organic="x", brand_content="no", is_aigc="y",
        cover_timestamp_ms="1500",
    )  # fmt: skip
    assert row is not None
    assert row.account == "Sandbox.Public"
    assert row.media == ("12", "a" * 64)
    assert row.mode == "draft"
    assert row.privacy_level == "PUBLIC_TO_EVERYONE"
    assert (row.allow_comment, row.allow_duet, row.allow_stitch) == (True, True, True)
    assert (row.brand_organic, row.brand_content, row.is_aigc) == (True, False, True)
    assert row.cover_timestamp_ms == 1500


def test_every_bad_cell_is_named_at_once() -> None:
    found = problems(
        external_id="", account="", media="", mode="now", privacy_level="friends",
        allow_duet="maybe", cover_timestamp_ms="1.5s", scheduled_at="",
    )  # fmt: skip
    assert [problem.split(" ")[0] for problem in found] == [
        "external_id", "account", "media", "mode", "privacy_level", "allow_duet",
        "cover_timestamp_ms", "scheduled_at",
    ]  # fmt: skip


def test_an_exported_formula_guard_is_taken_off() -> None:
    assert text_of("'=HYPERLINK(1)") == "=HYPERLINK(1)"
    assert text_of("'-so good") == "-so good"
    assert text_of("'quoted'") == "'quoted'"
    assert text_of(1500.0) == "1500"


def test_an_xlsx_date_time_cell_is_a_wall_time() -> None:
    row, _ = parse(scheduled_at=datetime(2030, 7, 1, 10, 0), cover_timestamp_ms=1500.0)  # noqa: DTZ001
    assert row is not None
    assert row.scheduled_at == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    assert row.cover_timestamp_ms == 1500


def test_the_plans_setting_columns_are_the_jobs_tiktok_settings() -> None:
    # A plan names each TikTok setting of a job by the field's own name.
    from tiktok_integration.bulk.contract import COLUMNS
    from tiktok_integration.models import PublishJob

    assert COLUMNS[-9:] == ("mode", *PublishJob.TIKTOK_SETTINGS)
