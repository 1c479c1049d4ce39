"""Bad input at the file level: each handled, or refused as a whole with the
line and what to fix."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.tiktok_integration.bulk.conftest import plan_row, write_plan
from tiktok_integration.bulk.contract import COLUMNS
from tiktok_integration.bulk.reading import PlanFileError, read_plan


def test_a_plain_utf8_file(tmp_path: Path) -> None:
    plan = read_plan(write_plan(tmp_path / "p.csv", [plan_row(caption="Caffè ☕")]))
    (row,) = plan.rows
    assert row.line == 2
    assert row.values["caption"] == "Caffè ☕"
    assert set(row.values) == set(COLUMNS)


def test_a_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.csv", [plan_row()], encoding="utf-8-sig")
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    assert read_plan(path).rows[0].values["external_id"] == "launch-1"


def test_utf16_unicode_text_from_a_spreadsheet(tmp_path: Path) -> None:
    path = write_plan(
        tmp_path / "p.csv", [plan_row(caption="Ünïcode")], encoding="utf-16"
    )
    assert read_plan(path).rows[0].values["caption"] == "Ünïcode"


def test_semicolons_from_european_spreadsheet_apps(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.csv", [plan_row(caption="one, two")], delimiter=";")
    row = read_plan(path).rows[0]
    assert row.values["caption"] == "one, two"
    assert row.values["mode"] == "direct"


def test_blank_lines_are_skipped_and_lines_still_count(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.csv", [plan_row(), plan_row(external_id="b")])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "", lines[1], ",,,", "", lines[2]]) + "\n")
    assert [row.line for row in read_plan(path).rows] == [3, 6]


def test_a_caption_over_several_lines_keeps_the_next_line_number(
    tmp_path: Path,
) -> None:
    path = write_plan(
        tmp_path / "p.csv",
        [plan_row(caption="first\nsecond\nthird"), plan_row(external_id="b")],
    )
    assert [row.line for row in read_plan(path).rows] == [2, 5]


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.csv", [plan_row(), plan_row(caption="Caffè")],
                      encoding="latin-1")  # fmt: skip
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    assert caught.value.line == 3
    assert "Line 3 is not UTF-8" in str(caught.value)
    assert "CSV UTF-8" in str(caught.value)


def test_a_missing_header(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "p.csv", [plan_row()])
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    assert "Line 1 is not a header" in str(caught.value)
    assert "external_id,account,media" in str(caught.value)


def test_unknown_columns_are_an_error_unless_ignored(tmp_path: Path) -> None:
    header = (*COLUMNS, "notes")
    path = write_plan(tmp_path / "p.csv", [plan_row(notes="hi")], header=header)
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    assert "unknown column(s) notes" in str(caught.value)
    assert "--ignore-unknown" in str(caught.value)
    plan = read_plan(path, ignore_unknown=True)
    assert plan.ignored_columns == ("notes",)
    assert "notes" not in plan.rows[0].values


def test_a_misspelt_column_gets_a_hint(tmp_path: Path) -> None:
    header = [name if name != "timezone" else "time_zone" for name in COLUMNS]
    path = write_plan(tmp_path / "p.csv", [plan_row()], header=header)
    with pytest.raises(PlanFileError) as caught:
        read_plan(path)
    assert "time_zone (did you mean timezone?)" in str(caught.value)


def test_required_columns_must_be_there(tmp_path: Path) -> None:
    header = [name for name in COLUMNS if name != "mode"]
    path = write_plan(tmp_path / "p.csv", [plan_row()], header=header)
    with pytest.raises(PlanFileError, match="lacks the column"):
        read_plan(path)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("\n\n")
    with pytest.raises(PlanFileError, match="no rows"):
        read_plan(path)


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append([])
    sheet.append([plan_row()[name] for name in COLUMNS])
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    (row,) = read_plan(path).rows
    assert row.line == 3
    assert row.values["account"] == "sandbox.public"
