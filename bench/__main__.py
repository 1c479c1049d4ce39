"""Run the benchmarks: `python -m bench` runs every bench/bench_*.py, or name some.

Arguments starting with ``--`` (and bare numbers, their values) are options the
benchmarks read from ``sys.argv`` themselves: ``scale --full`` (bench_scale's
full size), ``publish --upload-runs 5`` (only the 1 GiB upload, five times).

Each benchmark module has a ``main() -> None`` that measures Postdeck and a
baseline in the same process run and prints their ratio, so figures compare
like with like on whatever machine runs them.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path


def main(names: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    available = sorted(
        path.stem.removeprefix("bench_")
        for path in Path(__file__).parent.glob("bench_*.py")
    )
    selected = [
        name for name in names if not name.startswith("--") and not name.isdigit()
    ] or available
    unknown = sorted(set(selected) - set(available))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; have {available}")
        return 2
    for name in selected:
        print(f"\n## {name}")
        started = time.perf_counter()
        importlib.import_module(f"bench.bench_{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
