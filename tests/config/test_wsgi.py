"""The web process freezes its start-up objects out of the garbage
collector's view once Django and every view module are loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_module_loads_the_url_conf_then_freezes():
    script = (
        "import gc, sys\n"
        "import config.wsgi\n"
        "assert 'cms.review.email_views' in sys.modules, 'views not loaded before freezing'\n"
        "print(gc.get_freeze_count())\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(done.stdout.strip()) > 10_000
