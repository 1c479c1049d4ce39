"""Print the URL and login once the web process answers (for `make run`)."""

from __future__ import annotations

import sys
import time
import urllib.request
from pathlib import Path


def main(base_url: str, login_file: Path, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):  # noqa: S310  # nosec B310
                break
        except OSError:
            time.sleep(0.5)
    else:
        print(f"Postdeck did not answer at {base_url} within {timeout:.0f} s.")
        return 1
    password = login_file.read_text().strip() if login_file.exists() else "(see above)"
    print(
        "\n"
        f"  Postdeck is ready: {base_url}/admin/\n"
        f"  Login: admin / {password}\n"
        "  The TikTok sandbox stands in for TikTok; Ctrl-C stops everything.\n",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
