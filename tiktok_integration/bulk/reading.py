"""A posting plan file (CSV or XLSX) into rows keyed by the contract's
column names, each with the line a person sees in their editor or sheet.

CSV: UTF-8 with or without a BOM, UTF-16 with a BOM (spreadsheet "Unicode
text"); commas, semicolons (European spreadsheet apps) or tabs, guessed from
the header line; blank lines skipped. XLSX: the first sheet, through
openpyxl (read-only). Anything else is refused as a whole with the line and
what to fix (``PlanFileError``): nothing of a file that cannot be read is
imported.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tiktok_integration.bulk.contract import COLUMNS, EXPORT_ONLY_COLUMNS, REQUIRED

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")


class PlanFileError(ValueError):
    """The file cannot be read as a plan. ``line`` (1-based, 0 for the whole
    file) and ``str()``: what is wrong and what to fix."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One non-blank row: ``line`` where it starts (the header is line 1 in a
    file without leading blank lines), ``values`` by contract column (str for
    CSV; str, int, float, bool, datetime or None from XLSX cells)."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """A readable plan: its rows in file order and the columns ignored."""

    rows: list[PlanRow]
    ignored_columns: tuple[str, ...]


def read_plan(path: Path, *, ignore_unknown: bool = False) -> Plan:
    """Read ``path`` (XLSX by content, else CSV). Unknown header names are an
    error unless ``ignore_unknown`` (the export's read-only columns are always
    ignored). Raises ``PlanFileError``; ``OSError`` if it cannot be opened."""
    data = path.read_bytes()
    if data.startswith(XLSX_MAGIC):
        table = list(_xlsx_rows(data))
    else:
        table = list(_csv_rows(_decode(data)))
    return _plan(table, ignore_unknown=ignore_unknown)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise PlanFileError(0, f"The file is not valid UTF-16: {error}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PlanFileError(
            line,
            f"Line {line} is not UTF-8 (byte 0x{data[error.start]:02x}): save the "
            "file as 'CSV UTF-8' (Excel) or 'UTF-8' (LibreOffice, Numbers) and "
            "run again.",
        ) from None


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
        raise PlanFileError(
            0, f"The file looks like XLSX but cannot be opened ({error})."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in cells]
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date | time | int | float | bool) or value is None:
        return value
    return str(value)


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _plan(table: list[tuple[int, list[Any]]], *, ignore_unknown: bool) -> Plan:
    rows = [(line, cells) for line, cells in table if not _blank(cells)]
    if not rows:
        raise PlanFileError(
            0,
            "The file has no rows; the first line must name "
            f"the columns: {','.join(COLUMNS)}.",
        )
    header_line, header_cells = rows[0]
    header = [str(cell or "").strip().lower() for cell in header_cells]
    if not set(header) & set(COLUMNS):
        raise PlanFileError(
            header_line,
            f"Line {header_line} is not a header: the first line must name the "
            f"columns, e.g. {','.join(COLUMNS)}.",
        )
    problems = _header_problems(header_line, header, ignore_unknown)
    if problems:
        raise PlanFileError(header_line, " ".join(problems))
    keep = [(index, name) for index, name in enumerate(header) if name in COLUMNS]
    ignored = tuple(n for n in header if n and n not in COLUMNS)
    plan_rows = []
    for line, cells in rows[1:]:
        values = {
            name: cells[index] if index < len(cells) else None for index, name in keep
        }
        plan_rows.append(PlanRow(line=line, values=values))
    return Plan(rows=plan_rows, ignored_columns=ignored)


def _header_problems(line: int, header: list[str], ignore_unknown: bool) -> list[str]:
    problems = []
    named = [name for name in header if name]
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        problems.append(f"Line {line} names {', '.join(repeated)} more than once.")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(f"Line {line} lacks the column(s) {', '.join(missing)}.")
    unknown = [n for n in named if n not in COLUMNS and n not in EXPORT_ONLY_COLUMNS]
    if unknown and not ignore_unknown:
        named_as = ", ".join(_with_hint(name) for name in unknown)
        problems.append(
            f"Line {line} has unknown column(s) {named_as}: rename them to "
            f"contract names ({', '.join(COLUMNS)}) or pass --ignore-unknown."
        )
    return problems


def _with_hint(name: str) -> str:
    close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.7)
    return f"{name} (did you mean {close[0]}?)" if close else name
