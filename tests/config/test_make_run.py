"""`make run`'s launcher on a port from the environment: it prints the URL and
login once up, the login works, and Ctrl-C stops everything with exit 0."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "POSTDECK_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY="run-" + "r" * 40,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_READ_DOT_ENV="false",
        # As `make run`'s .env: static files served without collectstatic.
        DJANGO_DEBUG="true",
        POSTDECK_VAR_DIR=str(tmp_path),
        POSTDECK_PORT=str(port),
    )
    return env


def _log_in(base_url: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{base_url}/admin/login/?next=/admin/"
    page = opener.open(login_url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "admin",
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (an http URL of our own)
        login_url, data=form, headers={"Referer": login_url}
    )
    return opener.open(request, timeout=30).read().decode()


def test_make_run_starts_on_the_port_from_the_environment_and_stops_cleanly(
    tmp_path,
):
    # given
    port = _free_port()
    env = _env(tmp_path, port)
    launcher = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        # when: the banner appears
        deadline = time.monotonic() + 300
        assert launcher.stdout is not None
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Postdeck is ready" in line:
                output.append(launcher.stdout.readline())
                break
        text = "".join(output)
        base_url = f"http://127.0.0.1:{port}"
        assert f"Postdeck is ready: {base_url}/admin/" in text, text[-3000:]
        password = re.findall(r"Login: admin / (\S+)", text)[-1]
        # then: the login it printed works
        assert "Dashboard" in _log_in(base_url, password)
        banner_again = subprocess.run(
            [sys.executable, "scripts/run.py", "login"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert f"{base_url}/admin/" in banner_again and password in banner_again
    finally:
        # and Ctrl-C stops web, worker and beat with exit 0
        launcher.send_signal(signal.SIGINT)
        rest = launcher.communicate(timeout=90)[0]
    assert launcher.returncode == 0, rest[-3000:]
    assert "Stopped." in rest
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
