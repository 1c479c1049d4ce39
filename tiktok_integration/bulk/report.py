"""What an import did, row by row: the outcomes, the terminal summary and the
``--report`` file (CSV or JSON, chosen by its suffix)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REFUSED = "refused"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REFUSED)
REPORT_COLUMNS = ("line", "external_id", "outcome", "reasons")


@dataclass(slots=True)
class RowOutcome:
    """One plan row: ``line`` in the file, ``outcome`` one of ``OUTCOMES``,
    ``reasons`` sentences (why refused; what changed; notes)."""

    line: int
    external_id: str
    outcome: str
    reasons: list[str] = field(default_factory=list)

    def refuse(self, reasons: list[str]) -> None:
        """Mark the row refused, ``reasons`` replacing any earlier notes."""
        self.outcome = REFUSED
        self.reasons = list(reasons)


@dataclass(slots=True)
class ImportResult:
    """Every row's outcome in file order. ``written``: whether anything was
    saved (False for a dry run, and for ``--atomic`` with a refused row)."""

    rows: list[RowOutcome]
    dry_run: bool
    atomic: bool
    written: bool

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.outcome for row in self.rows)

    @property
    def refused(self) -> int:
        return self.counts[REFUSED]


def summary_line(result: ImportResult) -> str:
    """E.g. "created 3, updated 1, unchanged 10, refused 2 (dry run: nothing
    was written)"."""
    counts = result.counts
    text = ", ".join(f"{name} {counts[name]}" for name in OUTCOMES)
    if result.dry_run:
        return f"{text} (dry run: nothing was written)"
    if not result.written and counts[CREATED] + counts[UPDATED]:
        return f"{text} (--atomic: nothing was written because rows were refused)"
    return text


def write_report(result: ImportResult, path: Path) -> None:
    """Write one line per row to ``path``: ``.json`` gives
    {"summary": {outcome: count}, "dry_run", "written", "rows": [...]};
    ``.csv`` gives ``REPORT_COLUMNS`` with reasons joined by " | ".
    Raises ValueError for another suffix, OSError if it cannot be written."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        document = {
            "summary": {name: result.counts[name] for name in OUTCOMES},
            "dry_run": result.dry_run,
            "atomic": result.atomic,
            "written": result.written,
            "rows": [asdict(row) for row in result.rows],
        }
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(REPORT_COLUMNS)
            for row in result.rows:
                writer.writerow(
                    (row.line, row.external_id, row.outcome, " | ".join(row.reasons))
                )
    else:
        raise ValueError(f"The report must end in .csv or .json, not {path.name!r}.")
