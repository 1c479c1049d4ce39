"""Print what ``mutmut run`` found, one row per mutated module (``make mutate``).

Reads the ``mutants/**/*.py.meta`` files mutmut leaves behind (JSON with an
``exit_code_by_key`` map) and counts each mutant's outcome with mutmut's own
exit-code table: killed, survived, no tests, timeout, suspicious, not checked.
Exits 1 when no results exist yet (run ``mutmut run`` first).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ("killed", "survived", "no tests", "timeout", "suspicious", "not checked")


def module_counts(root: Path) -> dict[str, Counter[str]]:
    """Outcome counts per mutated module path (``tiktok_integration/composer.py``)."""
    counts: dict[str, Counter[str]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        if not exit_codes:
            continue
        module = str(meta.relative_to(root)).removesuffix(".meta")
        counts[module] = Counter(
            status_by_exit_code[code] for code in exit_codes.values()
        )
    return counts


def main() -> int:
    counts = module_counts(Path("mutants"))
    if not counts:
        print("No mutation results in mutants/: run `mutmut run` first.")
        return 1
    width = max(len(module) for module in counts)
    print(f"{'module':<{width}}  " + "  ".join(COLUMNS))
    total: Counter[str] = Counter()
    for module, outcome in counts.items():
        total.update(outcome)
        row = "  ".join(f"{outcome[column]:>{len(column)}}" for column in COLUMNS)
        print(f"{module:<{width}}  {row}")
    row = "  ".join(f"{total[column]:>{len(column)}}" for column in COLUMNS)
    print(f"{'total':<{width}}  {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
