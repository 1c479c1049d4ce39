"""Real processes for the publishing fault tests.

- the TikTok sandbox served by gunicorn (which hands its socket to the app, so
  "answer, then drop the connection" really drops it);
- ``celery -A config worker`` processes, each in its own process group;
- a beat stand-in ("ticker") that runs the three publishing ticks in a loop,
  as celery beat or a cron ``publish_due`` would;
- a Redis that can be stopped and started again on the same port.

Every process gets its settings from the environment, like production. Run as
``python -m tests.tiktok_integration.publishing.workers tick`` this module is
the ticker itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[3]
MB = 1024 * 1024

# Publishing knobs scaled down so a scenario takes seconds, not minutes. Each is
# a setting the pipeline reads (config/settings/tiktok.py, "Publishing"). The lease
# only decides how soon a dead worker's job is handed out again (a running step
# renews its own), so it is kept short, but long enough that a busy machine
# cannot delay a renewal (every third of it) past its end.
FAST_PUBLISHING = {
    "TIKTOK_PUBLISH_DISPATCH_SECONDS": "1",
    "TIKTOK_PUBLISH_POLL_SECONDS": "1",
    "TIKTOK_PUBLISH_RECONCILE_SECONDS": "2",
    "TIKTOK_PUBLISH_LEASE_SECONDS": "8",
    "TIKTOK_PUBLISH_BACKOFF_MAX_SECONDS": "4",
    "TIKTOK_POLL_FIRST_SECONDS": "0.5",
    "TIKTOK_CHUNK_SIZE": str(5 * MB),
    "TIKTOK_BREAKER_THRESHOLD": "4",
    "TIKTOK_BREAKER_RESET_SECONDS": "3",
}


# How long a process may take to start: Django and Celery start in seconds on a
# quiet machine and several times slower on a busy one.
START_TIMEOUT = 120.0
TICKER_READY = "ticker ticking"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    predicate: Callable[[], object], *, timeout: float, what: str, every: float = 0.2
) -> None:
    """Poll ``predicate`` until it is truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def database_url(settings_dict: dict[str, object]) -> str:
    """A DATABASE_URL for the database a Django connection points at."""
    user = quote(str(settings_dict.get("USER") or ""))
    password = quote(str(settings_dict.get("PASSWORD") or ""))
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def base_env(
    *,
    var_dir: Path,
    database_url: str,
    broker_url: str,
    base_url: str,
    secret_key: str,
    encryption_keys: list[str],
) -> dict[str, str]:
    """The environment of every process: production settings, loopback only."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "CELERY_", "POSTDECK_", "TEST_", "TIKTOK_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_READ_DOT_ENV="false",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_LOG_LEVEL="INFO",
        FIELD_ENCRYPTION_KEYS=",".join(encryption_keys),
        POSTDECK_VAR_DIR=str(var_dir),
        POSTDECK_BASE_URL=base_url,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND="cache+memory://",
        TIKTOK_SANDBOX="true",
        PYTHONUNBUFFERED="1",
        **FAST_PUBLISHING,
    )
    return env


@dataclass
class Process:
    """One started process (group) and its log."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole group: the worker and its pool children, also
        children left running after the main process died."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def kill_main(self) -> None:
        """SIGKILL only the process itself (a worker's main process), leaving
        the processes it started (its pool) running as orphans."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def pool_children(self) -> list[int]:
        """Pids of the processes this one started (a prefork worker's pool)."""
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []


@dataclass
class Processes:
    """Starts processes with one environment and stops them all at the end."""

    env: dict[str, str]
    logs: Path
    started: list[Process] = field(default_factory=list)

    def start(self, name: str, command: list[str], **extra_env: str) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("ab") as handle:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def worker(
        self, name: str, *, concurrency: int = 1, ready: bool = True, **extra_env: str
    ) -> Process:
        """A prefork Celery worker on both queues, like the Procfile's."""
        process = self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--pool", "prefork", "--concurrency", str(concurrency),
             "--queues", "tokens,default,publish,publish_poll", "--hostname", f"{name}@%h",
             "--loglevel", "INFO", "--without-mingle", "--without-gossip",
             "--without-heartbeat"],
            **extra_env,
        )  # fmt: skip
        if ready:
            wait_for(
                lambda: " ready." in process.text() or not process.alive,
                timeout=START_TIMEOUT,
                what=f"worker {name} to start",
            )
            assert process.alive, process.text()[-3000:]
        return process

    def ticker(self, name: str, *, every: float = 0.5, **extra_env: str) -> Process:
        """The beat stand-in: dispatch, poll and reconcile ticks in a loop;
        returns once it ticks."""
        process = self.start(
            name,
            [sys.executable, "-m", "tests.tiktok_integration.publishing.workers",
             "tick", str(every)],
            **extra_env,
        )  # fmt: skip
        wait_for(
            lambda: TICKER_READY in process.text() or not process.alive,
            timeout=START_TIMEOUT,
            what=f"ticker {name} to start",
        )
        assert process.alive, process.text()[-3000:]
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.kill()

    def logs_tail(self, size: int = 4000) -> str:
        return "\n".join(
            f"--- {process.name} ---\n{process.text()[-size:]}"
            for process in self.started
        )


def start_sandbox(processes: Processes, port: int, *, workers: int = 3) -> Process:
    """The sandbox (the whole app) under gunicorn on 127.0.0.1:``port``."""
    process = processes.start(
        "sandbox",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "300", "--graceful-timeout", "2", "--log-level", "warning"],
    )  # fmt: skip
    wait_for(
        lambda: _port_open(port) or not process.alive,
        timeout=START_TIMEOUT,
        what="the sandbox server to listen",
    )
    assert process.alive, process.text()[-3000:]
    return process


class RestartableRedis:
    """A redis-server without persistence that can be stopped and started on
    the same port: a restart loses every queued message, as in production
    without AOF."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.popen = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), timeout=60, what="redis-server")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)
        self.popen = None


@contextlib.contextmanager
def restartable_redis(directory: Path) -> Iterator[RestartableRedis]:
    redis = RestartableRedis(directory)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


# --- The ticker (run as a module) ----------------------------------------------


def _tick_forever(every: float) -> None:
    import django

    django.setup()
    from django.db import close_old_connections

    from tiktok_integration.tasks import (
        dispatch_publish_jobs_task,
        poll_publish_jobs_task,
        reconcile_publish_jobs_task,
    )

    log = logging.getLogger("ticker")
    sys.stdout.write(f"{TICKER_READY}\n")
    while True:
        for tick in (
            dispatch_publish_jobs_task,
            poll_publish_jobs_task,
            reconcile_publish_jobs_task,
        ):
            # A beat keeps ticking through broker and database outages.
            try:
                tick()
            except Exception:
                log.exception("Tick %s failed", tick.name)
            finally:
                close_old_connections()
        time.sleep(every)


def _save_then_die(post_id: int, account_id: int) -> None:
    """A web request that commits a new job and whose process is killed right
    after the commit, before anything registered after it could run."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from tiktok_integration.models import PublishJob
    from tiktok_integration.publishing.staff_actions import publish_job_save

    with transaction.atomic():
        job = publish_job_save(
            job=PublishJob(
                post_id=post_id,
                account_id=account_id,
                scheduled_at=timezone.now(),
                privacy_level=PublishJob.PrivacyLevel.SELF_ONLY,
            )
        )
        transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
        # What an app that enqueues on commit would do; it never runs here.
        transaction.on_commit(lambda: sys.stdout.write(f"enqueued {job.pk}\n"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["tick"]:
        _tick_forever(float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
    elif sys.argv[1:2] == ["save-then-die"]:
        _save_then_die(int(sys.argv[2]), int(sys.argv[3]))
