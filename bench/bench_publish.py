"""Publishing benchmarks (issue 6): on time, throughput at the limit, upload.

Everything runs as real processes on 127.0.0.1: a throwaway PostgreSQL and
Redis (scripts/services.py), the TikTok sandbox under gunicorn, Celery workers
and a beat stand-in ticking at production intervals (dispatch and poll every
5 s, reconcile every 60 s). Production settings otherwise (10 MB chunks, 300 s
leases, TikTok's per-token limits, enforced by the sandbox too), except the
first status check after 2 s instead of 5 s.

Scaled for a 2-core machine; what each part runs is printed with its figures:

- On time: jobs over accounts with due times spread over one minute so that no
  account has more than TikTok's 6 inits in it (the pipeline would otherwise
  hold the overflow for the next window, on purpose). Lateness is from
  ``scheduled_at`` to the init request (the PublishAttempt's start). Ratio:
  the goal (p99 2 s) over the measured p99.
- Throughput at the limit: 8 jobs per account all due at once, 4 worker
  processes (2 x concurrency 2). Jobs whose init went out in the first minute,
  against the ceiling TikTok's per-token limit allows in that minute (6 per
  account); zero 429s expected.
- Upload (``--upload-runs N``: only this, N times at 1 GiB): one video
  through the whole pipeline (init, chunks, status, to
  Published; timed from the init request to the end of the last chunk PUT)
  against one curl process PUTting the same chunks (pre-cut files, one
  keep-alive connection through ``--next``) to a fresh upload URL of the same
  sandbox, and the publishing pool process's peak RSS (VmHWM) for 100 MiB
  and 1 GiB, each on a fresh worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scripts.services import (
    ServiceUnavailableError,
    free_port,
    throwaway_postgres,
    throwaway_redis,
)

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
GOAL_P99_SECONDS = 2.0
INITS_PER_MINUTE = 6


class Run:
    """The processes of one benchmark run, sharing one environment."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def python(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def start(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def worker(
        self,
        name: str,
        concurrency: int,
        queues: str = "tokens,default,publish,publish_poll",
    ) -> subprocess.Popen[bytes]:
        process = self.start(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "worker",
             "--pool", "prefork", "--concurrency", str(concurrency),
             "--queues", queues, "--hostname", f"{name}@%h",
             "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
             "--without-heartbeat"],
        )  # fmt: skip
        log = self.logs / f"{name}.log"
        wait_for(lambda: bool(_children(process.pid)), 60, f"worker {name}")
        # Connected to the broker once it logs nothing more for a moment.
        time.sleep(2)
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        return process

    def ticker(self) -> subprocess.Popen[bytes]:
        return self.start(
            "tick", [sys.executable, "-m", "bench.publish_support", "tick"]
        )

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.started:
            self.stop(process)
        self.started.clear()


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    return []


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _until_settled(run: Run, total: int, timeout: float) -> dict[str, Any]:
    """Report once every job reached a final state (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        report = run.python("-m", "bench.publish_support", "report")
        done = [
            job
            for job in report["jobs"]
            if job["status"] not in ("scheduled", "claimed", "init_pending",
                                     "uploading", "processing")
        ]  # fmt: skip
        if len(done) >= total or time.monotonic() > deadline:
            return report
        time.sleep(3)


def _reset(run: Run, broker_url: str) -> None:
    run.manage("flush", "--noinput")
    import redis

    redis.Redis.from_url(broker_url).flushall()


@contextlib.contextmanager
def _stack() -> Iterator[tuple[Run, str]]:
    work = Path(tempfile.mkdtemp(prefix="postdeck-bench-publish-"))
    try:
        with throwaway_postgres() as database_url, throwaway_redis() as broker_url:
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(
                    ("DJANGO_", "DATABASE_URL", "CELERY_", "POSTDECK_", "TEST_",
                     "TIKTOK_")
                )
            }  # fmt: skip
            from cryptography.fernet import Fernet

            env.update(
                DJANGO_SETTINGS_MODULE="config.settings.base",
                DJANGO_READ_DOT_ENV="false",
                DJANGO_SECRET_KEY="bench-" + "b" * 44,
                DJANGO_LOG_LEVEL="WARNING",
                FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                POSTDECK_VAR_DIR=str(work),
                POSTDECK_BASE_URL=base_url,
                DATABASE_URL=database_url,
                CELERY_BROKER_URL=broker_url,
                CELERY_RESULT_BACKEND="cache+memory://",
                TIKTOK_SANDBOX="true",
                TIKTOK_POLL_FIRST_SECONDS="2",
            )
            run = Run(env, work)
            run.manage("migrate", "--noinput", "-v", "0")
            sandbox = run.start(
                "sandbox",
                [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                 "--bind", f"127.0.0.1:{port}", "--workers", "4",
                 "--timeout", "300", "--log-level", "warning"],
            )  # fmt: skip
            # Outlives every scenario's stop_all.
            run.started.remove(sandbox)
            wait_for(lambda: _port_open(port), 30, "the sandbox")
            try:
                yield run, broker_url
            finally:
                run.stop_all()
                run.stop(sandbox)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# --- On time ------------------------------------------------------------------------


def bench_on_time(run: Run, accounts: int, per_account: int) -> None:
    total = accounts * per_account
    print(
        f"on time: {total} jobs over {accounts} accounts ({per_account} each, "
        f"within TikTok's {INITS_PER_MINUTE}/min), due evenly over 60 s; "
        "2 worker processes x concurrency 2"
    )
    run.worker("ontime-a", 2)
    run.worker("ontime-b", 2)
    run.python("-m", "bench.publish_support", "seed",
               str(accounts), str(per_account), "60", "10", str(64 * 1024))  # fmt: skip
    run.ticker()
    report = _until_settled(run, total, timeout=240)
    run.stop_all()
    lateness = [
        job["init"] - job["due"] for job in report["jobs"] if job["init"] is not None
    ]
    published = sum(job["status"] == "published" for job in report["jobs"])
    if not lateness:
        print("  no init was sent")
        return
    p50, p99 = percentile(lateness, 0.50), percentile(lateness, 0.99)
    print(
        f"  lateness to init: p50 {p50:.2f} s, p99 {p99:.2f} s, max "
        f"{max(lateness):.2f} s, mean {statistics.fmean(lateness):.2f} s "
        f"({len(lateness)}/{total} sent, {published} published, "
        f"{report['completed_publishes']} sandbox publishes, "
        f"{report['http_429']} x 429)"
    )
    print(f"  ratio (goal p99 {GOAL_P99_SECONDS:.0f} s / measured p99): "
          f"{GOAL_P99_SECONDS / max(p99, 1e-3):.2f}")  # fmt: skip


# --- Throughput ---------------------------------------------------------------------


def bench_throughput(run: Run, accounts: int, per_account: int) -> None:
    total = accounts * per_account
    ceiling = accounts * INITS_PER_MINUTE
    print(
        f"throughput: {total} jobs over {accounts} accounts ({per_account} each), "
        f"all due at once; 2 worker processes x concurrency 2 (4 workers); "
        f"ceiling {ceiling} jobs/min ({INITS_PER_MINUTE} inits/min/token)"
    )
    run.worker("drain-a", 2)
    run.worker("drain-b", 2)
    seeded = run.python("-m", "bench.publish_support", "seed", str(accounts),
                        str(per_account), "0", "5", str(64 * 1024))  # fmt: skip
    start = float(seeded["start"])
    run.ticker()
    report = _until_settled(run, total, timeout=300)
    run.stop_all()
    inits = sorted(job["init"] for job in report["jobs"] if job["init"] is not None)
    first_minute = sum(1 for at in inits if at < start + 60)
    published = sum(job["status"] == "published" for job in report["jobs"])
    drained = (inits[-1] - start) if inits else float("nan")
    print(
        f"  first minute: {first_minute} jobs/min; all {len(inits)} inits sent "
        f"{drained:.1f} s after they were due; {published} published, "
        f"{report['completed_publishes']} sandbox publishes, "
        f"{report['http_429']} x 429"
    )
    print(f"  ratio (jobs/min / ceiling): {first_minute / ceiling:.2f}")


# --- Upload -------------------------------------------------------------------------


def _curl_chunks(run: Run, size: int, chunk: int, video: Path, work: Path) -> float:
    target = run.python(
        "-m", "bench.publish_support", "raw-init", str(size), str(chunk)
    )
    pieces = []
    with video.open("rb") as source:
        for index, (first, last) in enumerate(target["ranges"]):
            piece = work / f"chunk-{index:04d}"
            source.seek(first)
            with piece.open("wb") as out:
                left = last - first + 1
                while left:
                    data = source.read(min(left, 16 * MIB))
                    out.write(data)
                    left -= len(data)
            pieces.append((piece, first, last))
    command = ["/usr/bin/curl", "--silent", "--show-error", "--fail",
               "--max-time", "300", "--output", "/dev/null"]  # fmt: skip
    for position, (piece, first, last) in enumerate(pieces):
        if position:
            command.append("--next")
        command += [
            "--request", "PUT", "--data-binary", f"@{piece}",
            "--header", "Content-Type: video/mp4",
            "--header", f"Content-Range: bytes {first}-{last}/{size}",
            # No 100-continue round trip: the pipeline does not wait for one.
            "--header", "Expect:",
            "--output", "/dev/null",
            target["upload_url"],
        ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, timeout=600)
    elapsed = time.perf_counter() - started
    for piece, _, _ in pieces:
        piece.unlink()
    return elapsed


def bench_upload(
    run: Run, broker_url: str, size: int
) -> tuple[float, float, float, float]:
    """Seconds from init to the last chunk, seconds due to Published, seconds
    with curl, and the pool process's peak RSS (MB)."""
    _reset(run, broker_url)
    worker = run.worker(f"upload-{size // MIB}", 1)
    child = _children(worker.pid)[0]
    run.python("-m", "bench.publish_support", "seed", "1", "1", "0", "0", str(size))
    started = time.perf_counter()
    run.ticker()
    report = _until_settled(run, 1, timeout=600)
    wall = time.perf_counter() - started
    peak = _peak_rss_mb(child)
    run.stop_all()
    (job,) = report["jobs"]
    if job["status"] != "published":
        raise RuntimeError(f"the {size} byte upload ended {job['status']}")
    media = Path(run.env["POSTDECK_VAR_DIR"]) / "media" / "bench"
    video = next(media.glob(f"video-{size}-*.mp4"))
    chunk = 10_000_000
    curl = _curl_chunks(run, size, chunk, video, Path(run.env["POSTDECK_VAR_DIR"]))
    video.unlink()
    return float(report["upload_span"]), wall, curl, peak


def main() -> None:
    try:
        stack = _stack()
        run, broker_url = stack.__enter__()
    except ServiceUnavailableError as error:
        print(f"SKIPPED: {error}")
        return
    try:
        runs = _upload_runs()
        if runs:
            _upload_only(run, broker_url, runs)
            return
        bench_on_time(run, accounts=50, per_account=6)
        _reset(run, broker_url)
        bench_throughput(run, accounts=40, per_account=8)
        figures = {size: bench_upload(run, broker_url, size) for size in
                   (100 * MIB, 1024 * MIB)}  # fmt: skip
        for size, (pipeline, wall, curl, peak) in figures.items():
            print(
                f"upload {size // MIB} MiB (10 MB chunks): pipeline init to last "
                f"chunk {pipeline:.1f} s ({size / MIB / pipeline:.0f} MiB/s; due to "
                f"Published {wall:.1f} s incl. ticks and polling), curl PUTs "
                f"{curl:.1f} s ({size / MIB / curl:.0f} MiB/s); ratio (curl time / "
                f"pipeline time): {curl / pipeline:.2f}; worker pool peak RSS "
                f"{peak:.0f} MB"
            )
    finally:
        stack.__exit__(None, None, None)


def _upload_runs() -> int:
    """``--upload-runs N``: only the 1 GiB upload, N times (issue 17)."""
    if "--upload-runs" not in sys.argv:
        return 0
    return int(sys.argv[sys.argv.index("--upload-runs") + 1])


def _upload_only(run: Run, broker_url: str, runs: int) -> None:
    ratios = []
    for number in range(1, runs + 1):
        pipeline, _, curl, peak = bench_upload(run, broker_url, 1024 * MIB)
        ratios.append(curl / pipeline)
        print(
            f"upload 1024 MiB run {number}: pipeline {pipeline:.2f} s, curl "
            f"{curl:.2f} s, ratio (curl time / pipeline time) {curl / pipeline:.2f}; "
            f"peak RSS {peak:.0f} MB; load {os.getloadavg()[0]:.1f}"
        )
    print(
        f"upload 1024 MiB over {runs} runs: ratio min {min(ratios):.2f}, median "
        f"{statistics.median(ratios):.2f}, max {max(ratios):.2f} (goal >= 0.9 each)"
    )
