"""The ready banner of `make run` (URL and login), and waiting for the web
process to answer before it is printed."""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path


def wait_until_up(
    base_url: str, *, stop: threading.Event, timeout: float = 120
) -> bool:
    """Poll ``base_url``/healthz until it answers (True), ``timeout`` seconds
    pass or ``stop`` is set (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):  # noqa: S310  # nosec B310
                return True
        except OSError:
            stop.wait(0.5)
    return False


def banner(base_url: str, login_file: Path) -> str:
    """The lines people look for: where Postdeck is and how to sign in."""
    password = (
        login_file.read_text().strip()
        if login_file.exists()
        else "(the password you set for admin)"
    )
    return (
        "\n"
        "  ============================================================\n"
        f"  Postdeck is ready: {base_url}/admin/\n"
        f"  Login: admin / {password}\n"
        "  The TikTok sandbox stands in for TikTok. `make login` shows\n"
        "  this again; Ctrl-C stops web, worker and beat.\n"
        "  ============================================================\n\n"
    )
