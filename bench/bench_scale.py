"""Postdeck at scale (issue 17): token refreshes for many accounts and a
compressed day of posts, against an instant TikTok, on one machine.

Real processes on 127.0.0.1: a throwaway PostgreSQL (with pg_stat_statements,
one database role per process kind so queries are counted per kind) and Redis
(scripts/services.py), N Celery worker processes for the publish and
status-check queues, one for the default queue (ticks, the refresh sweep) and
one for the token queue (the refreshes), concurrency 2 each, Celery
beat with the DatabaseScheduler and the schedule of
``setup_periodic_tasks``, and the TikTok stand-in (bench/scale_standin.py)
that answers at once, so what is measured is Postdeck's own cost.

One window of ``WINDOW`` real seconds runs both loads at once:

- tokens: every account's access token expires in that window, evenly, after
  a refresh window's lead; the two hours of TikTok's token lifetime are
  compressed into the window (factor 7200 / WINDOW), and so are the refresh
  sweep's interval, window, jitter, skew and resend interval (the
  TIKTOK_TOKEN_REFRESH_* settings). Figures: refresh lag past the planned
  refresh (expiry minus the window), tokens that expired unrefreshed, refresh
  tokens spent twice;
- posts: a day of POSTS_PER_DAY compressed 1/24 (one real hour = 24 hours),
  of which the window holds its share, spread like real plans: 40 % due at
  :00:00 and 20 % at :30:00 of each compressed hour, the rest even. The
  window starts at :50 of a compressed hour so it holds both peaks. Figures:
  lateness from due to the init request (p50/p99), published, duplicate
  publishes, 429s, claims per job (lease versions: 2 when no message was
  sent twice);
- per published job: SQL statements by role (worker, beat; transaction
  control excluded), CPU ms by process kind, Redis commands and messages;
- per tick: one dispatch, poll and reconcile tick and a refresh sweep with
  nothing due, measured with their query counts as the backlog and the
  number of accounts grow (they should not grow with either); then two poll
  ticks with every job of the run due for a status check at once.

Baseline, measured in the same run: the stand-in's own request rate over one
keep-alive connection, against the TikTok requests Postdeck made per second.

``python -m bench scale`` runs the small size; ``python -m bench scale --full``
(or BENCH_SCALE_FULL=1) the issue's: 10,000 accounts and 100,000 posts a day;
BENCH_SCALE_SIZE="ACCOUNTS,POSTS_PER_DAY,WINDOW,WORKERS" any other.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_publish import Run, wait_for
from bench.scale_report import print_figures
from bench.scale_standin import StandInState, start_standin
from scripts.services import (
    ServiceUnavailableError,
    throwaway_postgres,
    throwaway_redis,
)

TOKEN_LIFETIME = 7200
DAY_COMPRESSION = 24
FINAL = {"published", "failed", "needs_review", "needs_confirmation", "cancelled"}
ROLES = ("pd_publish", "pd_ticks", "pd_tokens", "pd_beat")


@dataclass(frozen=True)
class Size:
    accounts: int
    posts_per_day: int
    window: int
    workers: int

    @property
    def token_compression(self) -> float:
        return TOKEN_LIFETIME / self.window

    @property
    def posts_in_window(self) -> int:
        return round(self.posts_per_day * self.window * DAY_COMPRESSION / 86400)


SMALL = Size(accounts=1000, posts_per_day=10_000, window=120, workers=2)
FULL = Size(accounts=10_000, posts_per_day=100_000, window=600, workers=2)


def due_times(size: Size, start: float, seed: int = 17) -> list[float]:
    """Due epochs for the window's posts: compressed hours start 10 compressed
    minutes after ``start``; 40 % at :00, 20 % at :30, the rest even."""
    hour = 3600 / DAY_COMPRESSION
    first_hour = start + hour / 6
    rng = random.Random(seed)
    dues = []
    for _ in range(size.posts_in_window):
        offset = rng.uniform(0, size.window)
        pick = rng.random()
        if pick < 0.6:
            boundary = first_hour + hour * round((offset - hour / 6) / hour)
            if pick >= 0.4:
                boundary += hour / 2
            offset = boundary - start
            if not 0 <= offset <= size.window:
                offset = rng.uniform(0, size.window)
        dues.append(start + offset)
    return sorted(dues)


def _cpu_seconds(pgid: int) -> float:
    """CPU of every live process in the group plus its reaped children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += sum(int(value) for value in fields[11:15])
    return total / tick


def _psql(
    database_url: str, sql: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def _queries_by_role(database_url: str) -> dict[str, int]:
    rows = _psql(
        database_url,
        "SELECT r.rolname, sum(s.calls) FROM pg_stat_statements s "
        "JOIN pg_roles r ON r.oid = s.userid WHERE s.query !~* "
        "'^\\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET)' GROUP BY 1",
    )
    return {name: int(calls) for name, calls in rows}


def _top_statements(database_url: str, role: str) -> list[str]:
    rows = _psql(
        database_url,
        "SELECT s.calls, round(s.total_exec_time::numeric, 1), left(s.query, 160) "
        "FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
        "WHERE r.rolname = %s ORDER BY s.calls DESC LIMIT 25",
        (role,),
    )
    return [f"{calls:7} {ms:>9} ms  {query}" for calls, ms, query in rows]


def _redis_counts(broker_url: str) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(broker_url)
    stats = client.info("commandstats")
    return {
        "commands": sum(int(value["calls"]) for value in stats.values()),
        "messages": sum(
            int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))
            for name in ("lpush", "rpush")
        ),
    }


def _baseline_rate(state: StandInState, base_url: str, seconds: float = 2.0) -> float:
    """Requests a second the stand-in answers over one keep-alive connection."""
    import requests

    open_id = next(iter(state.accounts))
    generation = state.accounts[open_id].generation
    session = requests.Session()
    headers = {"Authorization": f"Bearer at.{open_id}.{generation}"}
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        session.post(f"{base_url}/v2/oauth/_baseline/", headers=headers, timeout=5)
        count += 1
    return count / (time.perf_counter() - started)


@contextlib.contextmanager
def _stack(size: Size) -> Iterator[tuple[dict[str, Run], str, str, StandInState, str]]:
    work = Path(tempfile.mkdtemp(prefix="postdeck-bench-scale-"))
    compression = size.token_compression
    lead = 1800 / compression
    server, state = start_standin(expires_in=size.window, lead=lead)
    api = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with (
            throwaway_postgres(
                "shared_preload_libraries=pg_stat_statements",
                "pg_stat_statements.track=all",
            ) as database_url,
            throwaway_redis() as broker_url,
        ):
            _psql(database_url, "CREATE EXTENSION pg_stat_statements")
            for role in ROLES:
                _psql(database_url, f"CREATE ROLE {role} LOGIN SUPERUSER")
            from cryptography.fernet import Fernet

            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(
                    ("DJANGO_", "DATABASE_URL", "CELERY_", "POSTDECK_", "TEST_",
                     "TIKTOK_", "FIELD_ENCRYPTION")
                )
            }  # fmt: skip
            env.update(
                DJANGO_SETTINGS_MODULE="config.settings.base",
                DJANGO_READ_DOT_ENV="false",
                DJANGO_SECRET_KEY="bench-" + "s" * 44,
                DJANGO_LOG_LEVEL="WARNING",
                FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                POSTDECK_VAR_DIR=str(work),
                POSTDECK_BASE_URL="http://127.0.0.1:8000",
                DATABASE_URL=database_url,
                CELERY_BROKER_URL=broker_url,
                CELERY_RESULT_BACKEND="cache+memory://",
                TIKTOK_SANDBOX="false",
                TIKTOK_CLIENT_KEY="bench-key",
                TIKTOK_CLIENT_SECRET="bench-secret",  # noqa: S106  # nosec B105
                TIKTOK_API_BASE_URL=api,
                TIKTOK_TOKEN_REFRESH_WINDOW_SECONDS=str(round(lead)),
                TIKTOK_TOKEN_REFRESH_JITTER_SECONDS=_scaled(300, compression),
                TIKTOK_TOKEN_REFRESH_SKEW_SECONDS=_scaled(600, compression),
                TIKTOK_TOKEN_REFRESH_RESEND_SECONDS=_scaled(600, compression),
            )
            runs = {"setup": Run(env, work)}
            for role in ROLES:
                role_env = dict(env, DATABASE_URL=database_url.replace(
                    "postgres@", f"{role}@"))  # fmt: skip
                runs[role] = Run(role_env, work)
            try:
                yield runs, database_url, broker_url, state, api
            finally:
                for run in runs.values():
                    run.stop_all()
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def _scaled(seconds: int, compression: float) -> str:
    return str(max(1, round(seconds / compression)))


def _set_schedule(run: Run, compression: float) -> None:
    """Beat's rows: the refresh sweep compressed, the ticks as in production,
    everything this benchmark does not measure disabled."""
    sweep = max(1, round(300 / compression))
    script = (
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
        "keep = {'tiktok.refresh_expiring_tokens', 'tiktok.dispatch_publish_jobs',"
        " 'tiktok.poll_publish_jobs', 'tiktok.reconcile_publish_jobs'}\n"
        "PeriodicTask.objects.exclude(task__in=keep).update(enabled=False)\n"
        f"every, _ = IntervalSchedule.objects.get_or_create(every={sweep},"
        " period='seconds')\n"
        "PeriodicTask.objects.filter(task='tiktok.refresh_expiring_tokens')"
        ".update(interval=every)\n"
    )
    run.manage("setup_periodic_tasks")
    run.manage("shell", "-c", script)


def _settle(run: Run, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        report = run.python("-m", "bench.scale_support", "report")
        pending = sum(1 for job in report["jobs"] if job[2] not in FINAL)
        if not pending or time.monotonic() > deadline:
            return report
        time.sleep(5)


def _tick_rows(run: Run, size: Size) -> list[dict[str, Any]]:
    """Ticks at the run's backlog, then twice: as many future posts as there
    are accounts added, and twice the accounts added."""
    rows = [run.python("-m", "bench.scale_support", "ticks")]
    future = time.time() + 86400
    path = Path(run.env["POSTDECK_VAR_DIR"]) / "future.json"
    for step in range(2):
        dues = [future + index for index in range(size.accounts)]
        path.write_text(json.dumps(dues))
        run.python("-m", "bench.scale_support", "seed-posts", str(path))
        rows.append(run.python("-m", "bench.scale_support", "ticks"))
        run.python("-m", "bench.scale_support", "seed-accounts",
                   str(size.accounts * 2), str(future), "3600",
                   str(size.accounts * (1 + 2 * step) + 1))  # fmt: skip
        rows.append(run.python("-m", "bench.scale_support", "ticks"))
    return rows


def main() -> None:
    full = "--full" in sys.argv or os.environ.get("BENCH_SCALE_FULL") == "1"
    size = FULL if full else SMALL
    custom = os.environ.get("BENCH_SCALE_SIZE")
    if custom:
        size = Size(*(int(part) for part in custom.split(",")))
    try:
        stack = _stack(size)
        runs, database_url, broker_url, state, api = stack.__enter__()
    except ServiceUnavailableError as error:
        print(f"SKIPPED: {error}")
        return
    try:
        _measure(size, runs, database_url, broker_url, state, api)
    finally:
        stack.__exit__(None, None, None)


def _measure(
    size: Size,
    runs: dict[str, Run],
    database_url: str,
    broker_url: str,
    state: StandInState,
    api: str,
) -> None:
    setup = runs["setup"]
    compression = size.token_compression
    print(
        f"scale: {size.accounts} accounts, {size.posts_per_day} posts/day; a "
        f"{size.window} s window: tokens x{compression:.0f} compressed, posts "
        f"x{DAY_COMPRESSION} ({size.posts_in_window} due in the window); "
        f"{size.workers} publish worker processes x concurrency 2, one default-"
        "queue worker x 2, one token-queue worker x 2, beat; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at the start"
    )
    setup.manage("migrate", "--noinput", "-v", "0")
    _set_schedule(setup, compression)
    lead = 1800 / compression
    start = time.time() + 30 + size.accounts / 500
    seeded = setup.python(
        "-m", "bench.scale_support", "seed-accounts",
        str(size.accounts), str(start + lead), str(size.window), "0",
    )  # fmt: skip
    state.seed(seeded["expiries"])
    path = Path(setup.env["POSTDECK_VAR_DIR"]) / "dues.json"
    path.write_text(json.dumps(due_times(size, start)))
    setup.python("-m", "bench.scale_support", "seed-posts", str(path))
    workers = [
        runs["pd_publish"].worker(f"publish-{index}", 2, "publish,publish_poll")
        for index in range(size.workers)
    ]
    ticker = runs["pd_ticks"].worker("ticks", 2, "default")
    refresher = runs["pd_tokens"].worker("tokens", 2, "tokens")
    beat = runs["pd_beat"].start(
        "beat",
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel",
         "WARNING", "--pidfile", str(Path(setup.env["POSTDECK_VAR_DIR"]) / "beat.pid")],
    )  # fmt: skip
    _psql(database_url, "SELECT pg_stat_statements_reset()")
    import redis

    redis.Redis.from_url(broker_url).config_resetstat()
    cpu_before = {
        "publish": sum(_cpu_seconds(worker.pid) for worker in workers),
        "ticks": _cpu_seconds(ticker.pid),
        "tokens": _cpu_seconds(refresher.pid),
        "beat": _cpu_seconds(beat.pid),
        "stand-in+bench": time.process_time(),
    }
    requests_before = state.counts["requests"]
    began = time.monotonic()
    wait_for(lambda: time.time() > start + size.window, size.window + 600, "the window")
    report = _settle(setup, timeout=300)
    elapsed = time.monotonic() - began
    cpu = {
        "publish": sum(_cpu_seconds(worker.pid) for worker in workers)
        - cpu_before["publish"],
        "ticks": _cpu_seconds(ticker.pid) - cpu_before["ticks"],
        "tokens": _cpu_seconds(refresher.pid) - cpu_before["tokens"],
        "beat": _cpu_seconds(beat.pid) - cpu_before["beat"],
        "stand-in+bench": time.process_time() - cpu_before["stand-in+bench"],
    }
    queries = _queries_by_role(database_url)
    if os.environ.get("BENCH_SCALE_VERBOSE") == "1":
        for role in ROLES:
            print(f"  top statements of {role} (calls, total time, text):")
            print(
                "\n".join(f"    {line}" for line in _top_statements(database_url, role))
            )
    broker = _redis_counts(broker_url)
    requests_made = state.counts["requests"] - requests_before
    snapshot = state.snapshot()
    for run in runs.values():
        run.stop_all()
    print_figures(size, report, snapshot, cpu, queries, broker, elapsed, requests_made)
    baseline = _baseline_rate(state, api)
    rate = requests_made / elapsed
    print(
        f"  baseline: the stand-in answers {baseline:.0f} requests/s on one "
        f"connection; Postdeck sent {rate:.1f}/s over the run "
        f"(ratio {rate / baseline:.3f})"
    )
    for row in _tick_rows(setup, size):
        print(
            f"  ticks at {row['accounts']} accounts, {row['scheduled']} scheduled: "
            + ", ".join(
                f"{name} {row[name]['queries']} queries {row[name]['ms']:.0f} ms"
                for name in ("dispatch", "poll", "reconcile", "refresh_sweep")
            )
        )
    backlog = setup.python("-m", "bench.scale_support", "poll-backlog")
    print(
        f"  poll ticks with {backlog['backlog']} jobs due for a status check: "
        + ", ".join(
            f"{claimed} claimed, {row['queries']} queries {row['ms']:.0f} ms"
            for claimed, row in zip(
                backlog["claimed"], (backlog["first"], backlog["second"]), strict=True
            )
        )
    )
