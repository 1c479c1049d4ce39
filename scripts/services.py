"""Throwaway PostgreSQL and Redis servers on 127.0.0.1 for tests and benchmarks.

Each server gets a fresh data directory and a free port, and is stopped and
removed on exit. PostgreSQL refuses to run as root, so under root the cluster is
run as the ``postgres`` (or ``nobody``) user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


class ServiceUnavailableError(RuntimeError):
    """The server's binaries are not installed on this machine."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _find_postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise ServiceUnavailableError(
        f"PostgreSQL's {name} was not found (install the PostgreSQL 15 server)."
    )


def _run_as() -> tuple[list[str], int | None, int | None]:
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], entry.pw_uid, entry.pw_gid
    raise ServiceUnavailableError("Running as root and no 'postgres' user exists.")


@contextlib.contextmanager
def throwaway_postgres(*settings: str) -> Iterator[str]:
    """Start a PostgreSQL cluster on loopback; yield its DATABASE_URL.

    ``settings``: extra server settings as ``name=value`` (each passed as
    ``-c``), e.g. ``shared_preload_libraries=pg_stat_statements`` for the scale
    benchmark's per-role query counts.
    """
    initdb = _find_postgres_bin("initdb")
    pg_ctl = _find_postgres_bin("pg_ctl")
    prefix, uid, gid = _run_as()
    root = Path(tempfile.mkdtemp(prefix="postdeck-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if uid is not None:
        os.chown(root, uid, gid or -1)
        os.chown(sockets, uid, gid or -1)
    port = free_port()
    log = root / "server.log"
    try:
        subprocess.run(  # fixed argv, no shell  # nosec B603
            [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
             "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = (
            f"-h 127.0.0.1 -p {port} -k {sockets} -F "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
            "-c max_connections=200"
        ) + "".join(f" -c {setting}" for setting in settings)
        subprocess.run(  # fixed argv, no shell  # nosec B603
            [*prefix, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w",
             "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        if data.exists():
            subprocess.run(  # fixed argv, no shell  # nosec B603
                [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                check=False, capture_output=True,
            )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_redis() -> Iterator[str]:
    """Start a non-persistent redis-server on loopback; yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceUnavailableError("redis-server was not found (install Redis).")
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="postdeck-redis-"))
    process = subprocess.Popen(  # fixed argv, no shell  # nosec B603
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(root), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.2),
            ):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start on 127.0.0.1.")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
