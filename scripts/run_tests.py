"""Run the suite twice: on SQLite, then on a throwaway PostgreSQL 15 cluster.

Without PostgreSQL binaries the second pass is skipped with a visible reason,
except under CI=true, where a missing service fails the run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from scripts.services import ServiceUnavailableError, throwaway_postgres


def pytest(args: list[str], extra_env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *args]
    print(f"\n=== {' '.join(command[2:])} ({extra_env.get('TEST_PASS', 'sqlite')})")
    # pytest's own argv, no shell.
    return subprocess.call(command, env={**os.environ, **extra_env})  # nosec B603


def main(argv: list[str]) -> int:
    in_ci = os.environ.get("CI", "").lower() == "true"
    # TEST_PASS names a pass of the suite, not a password.
    sqlite_status = pytest([*argv], {"TEST_PASS": "sqlite"})  # nosec B105
    try:
        with throwaway_postgres() as database_url:
            postgres_status = pytest(
                [*argv, "-m", "not browser and not services"],
                {"TEST_PASS": "postgres", "TEST_DATABASE_URL": database_url},  # nosec B105
            )
    except ServiceUnavailableError as error:
        if in_ci:
            print(f"FAILED: PostgreSQL pass cannot run in CI: {error}")
            return 1
        print(f"SKIPPED: PostgreSQL pass: {error}")
        postgres_status = 0
    return sqlite_status or postgres_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
