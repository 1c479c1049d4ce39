"""A real worker process takes a task from a real broker and reaches the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.services


def service_env(tmp_path: Path, broker_url: str, result_backend: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "CELERY_", "POSTDECK_", "TEST_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_SECRET_KEY="smoke-" + "s" * 40,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_READ_DOT_ENV="false",
        POSTDECK_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=result_backend,
    )
    return env


def round_trip(env: dict[str, str]) -> str:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--queues", "tokens,default,publish,publish_poll", "--loglevel", "WARNING", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        sender = subprocess.run(
            [sys.executable, "-c",
             "import django; django.setup()\n"
             "from config.celery import app\n"
             "print(app.send_task('postdeck.healthcheck').get(timeout=60))"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert sender.returncode == 0, sender.stderr
    return sender.stdout.strip()


def test_worker_round_trip_through_redis(tmp_path, redis_url):
    # when
    answer = round_trip(service_env(tmp_path, redis_url, redis_url.replace("/0", "/1")))
    # then
    assert answer == "{'database': 'sqlite', 'users': 0}"


def test_worker_round_trip_through_the_embedded_broker(tmp_path):
    # given no server at all: the filesystem broker and file results
    env = service_env(tmp_path, "filesystem://", f"file://{tmp_path / 'results'}")
    (tmp_path / "results").mkdir()
    started = time.monotonic()
    # when
    answer = round_trip(env)
    # then
    assert answer == "{'database': 'sqlite', 'users': 0}"
    assert time.monotonic() - started < 90
