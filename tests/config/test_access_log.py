"""The web process's access log (Procfile → config/gunicorn.py) and Django's
URL-printing loggers keep query strings, which carry OAuth codes and upload
tokens, out of the logs."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.config.test_settings import LOCAL_ENV, ROOT

SECRETS = {"code": "c0de-SECRET-1", "state": "st4te-SECRET-2"}
UPLOAD_TOKEN = "upl0ad-SECRET-3"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_procfile_runs_gunicorn_with_the_project_config():
    web = next(
        line
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    assert "-c config/gunicorn.py" in web
    assert "--access-logfile" not in web  # the config file owns the format


def test_gunicorn_access_log_has_paths_without_query_strings(tmp_path: Path):
    # given the web process as the Procfile starts it
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TIKTOK_", "POSTDECK_", "DATABASE_URL"))
    }
    env.update(
        LOCAL_ENV,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        POSTDECK_VAR_DIR=str(tmp_path),
        POSTDECK_PORT=str(port),
    )
    log = tmp_path / "web.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.py",
                "--workers",
                "1",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        # when TikTok redirects back and a worker uploads a chunk
        callback = requests.get(
            f"{base}/tiktok/callback/",
            params=SECRETS,
            allow_redirects=False,
            timeout=10,
            headers={"Referer": f"{base}/tiktok/callback/?code={SECRETS['code']}"},
        )
        upload = requests.put(
            f"{base}/tiktok-sandbox/upload/",
            params={"upload_id": "u1", "upload_token": UPLOAD_TOKEN},
            data=b"x" * 10,
            timeout=10,
        )
    finally:
        server.terminate()
        # gunicorn's own graceful shutdown may take its full 30 s on a busy
        # machine; the log lines are written before it begins.
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    # then both requests are logged, by path only
    text = log.read_text()
    assert callback.status_code == 302
    assert '"GET /tiktok/callback/ HTTP/1.1" 302' in text, text
    assert f'"PUT /tiktok-sandbox/upload/ HTTP/1.1" {upload.status_code}' in text, text
    for secret in [*SECRETS.values(), UPLOAD_TOKEN]:
        assert secret not in text, text


def test_runserver_lines_lose_their_query_strings():
    # given a record as runserver's django.server logger writes it
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /tiktok/callback/?code={SECRETS['code']}&state=x HTTP/1.1", "302", "0"),
        None,
    )
    # when it passes the logger's filters
    for log_filter in logging.getLogger("django.server").filters:
        log_filter.filter(record)  # type: ignore[union-attr]
    # then
    assert record.getMessage() == '"GET /tiktok/callback/ HTTP/1.1" 302 0'
