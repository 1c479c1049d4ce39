"""`make run`: prepare the database, start web, worker and beat, print the URL and
login once they have settled, and stop all three cleanly on Ctrl-C (exit 0).

The port and bind address come from the environment, then ``.env``
(``POSTDECK_PORT``, default 8000; ``POSTDECK_BIND``, default 127.0.0.1). A
local ``POSTDECK_BASE_URL`` from ``.env`` follows the port; one set in the
environment is used as given.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.announce import banner, wait_until_up  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SETTLE_SECONDS = 2.0
SETTLE_LIMIT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 40.0
PREPARE = [
    ["manage.py", "migrate", "--noinput", "-v", "0"],
    ["manage.py", "setup_periodic_tasks"],
    ["manage.py", "seed_demo"],
]


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of ``path`` (comments and blanks skipped); {} if absent."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def run_settings(environ: dict[str, str], dotenv: dict[str, str]) -> dict[str, str]:
    """POSTDECK_PORT, POSTDECK_BIND and POSTDECK_BASE_URL for the processes:
    the environment wins over ``.env``; a localhost base URL from ``.env``
    takes the chosen port."""
    merged = {**dotenv, **environ}
    port = merged.get("POSTDECK_PORT") or "8000"
    bind = merged.get("POSTDECK_BIND") or "127.0.0.1"
    base_url = environ.get("POSTDECK_BASE_URL") or ""
    if not base_url:
        base_url = dotenv.get("POSTDECK_BASE_URL") or "http://127.0.0.1:8000"
        parts = urlsplit(base_url)
        if parts.hostname in LOCAL_HOSTS:
            base_url = urlunsplit(
                (parts.scheme, f"{parts.hostname}:{port}", parts.path, "", "")
            )
    return {
        "POSTDECK_PORT": port,
        "POSTDECK_BIND": bind,
        "POSTDECK_BASE_URL": base_url.rstrip("/"),
    }


def procfile(path: Path) -> list[tuple[str, list[str]]]:
    """The Procfile's ``name: command`` lines as (name, argv)."""
    entries = []
    for line in path.read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries.append((name.strip(), shlex.split(command)))
    return entries


class Launcher:
    """Runs the Procfile's processes, each in its own process group, copies
    their output with a name prefix and stops them together."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        self.last_output = time.monotonic()
        self.stopping = threading.Event()

    def say(self, text: str) -> None:
        with self.lock:
            sys.stdout.write(text)
            sys.stdout.flush()

    def _copy(self, name: str, stream: object) -> None:
        width = max(len(n) for n in self.children) if self.children else len(name)
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            self.last_output = time.monotonic()
            self.say(f"{name:<{width}} | {raw.decode(errors='replace')}")

    def start(self, entries: list[tuple[str, list[str]]]) -> None:
        for name, argv in entries:
            self.children[name] = subprocess.Popen(  # nosec B603
                argv,
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for name, child in self.children.items():
            threading.Thread(
                target=self._copy, args=(name, child.stdout), daemon=True
            ).start()

    def settle(self) -> None:
        """Wait until the processes have been quiet for a moment."""
        deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
        while time.monotonic() < deadline and not self.stopping.is_set():
            if time.monotonic() - self.last_output >= SETTLE_SECONDS:
                return
            time.sleep(0.2)

    def first_exited(self) -> str:
        """The name of a process that ended, or ""."""
        for name, child in self.children.items():
            if child.poll() is not None:
                return name
        return ""

    def stop(self) -> None:
        """SIGTERM each process (gunicorn's master and celery's main process
        stop their own workers warmly), then SIGKILL the process groups of
        whatever is left after ``STOP_TIMEOUT_SECONDS``."""
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def _take_terminal() -> tuple[int, int] | None:
    """Make this process's own group the terminal's foreground group, so Ctrl-C
    reaches only the launcher (not make, which would report "Interrupt").
    Returns (tty fd, previous group) to give it back, or None without a tty."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return None
    try:
        previous = os.tcgetpgrp(fd)
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(fd, os.getpgrp())
    except OSError:
        os.close(fd)
        return None
    return fd, previous


def _give_back_terminal(taken: tuple[int, int] | None) -> None:
    if taken is None:
        return
    fd, previous = taken
    with contextlib.suppress(OSError):
        os.tcsetpgrp(fd, previous)
    os.close(fd)


def main(argv: list[str]) -> int:
    """``run.py``: the whole app until Ctrl-C. ``run.py login``: print the
    banner now (for `make login`)."""
    settings = run_settings(dict(os.environ), read_env_file(ROOT / ".env"))
    var_dir = os.environ.get("POSTDECK_VAR_DIR") or read_env_file(ROOT / ".env").get(
        "POSTDECK_VAR_DIR", str(ROOT / "var")
    )
    login_file = Path(var_dir) / "demo-login.txt"
    if argv[1:] == ["login"]:
        sys.stdout.write(banner(settings["POSTDECK_BASE_URL"], login_file))
        return 0
    env = {
        **os.environ,
        **settings,
        # The Procfile's gunicorn and celery are the virtualenv's.
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
        ),
        "PYTHONUNBUFFERED": "1",
    }
    launcher = Launcher(env)

    def on_signal(signum: int, frame: object) -> None:
        launcher.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    for argv in PREPARE:
        done = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env)  # nosec B603
        if launcher.stopping.is_set():
            return 0
        if done.returncode:
            return done.returncode
    base_url = settings["POSTDECK_BASE_URL"]
    taken = _take_terminal()
    launcher.say(
        f"Starting web, worker and beat on {settings['POSTDECK_BIND']}:"
        f"{settings['POSTDECK_PORT']}; Postdeck will be at {base_url}/admin/\n"
    )
    launcher.start(procfile(ROOT / "Procfile"))
    code = 0
    if wait_until_up(base_url, stop=launcher.stopping):
        launcher.settle()
        if not launcher.stopping.is_set():
            launcher.say(banner(base_url, login_file))
    elif not launcher.stopping.is_set():
        launcher.say(f"Postdeck did not answer at {base_url}; stopping.\n")
        code = 1
        launcher.stopping.set()
    while not launcher.stopping.wait(0.5):
        ended = launcher.first_exited()
        if ended:
            launcher.say(f"{ended} stopped on its own; stopping the others.\n")
            code = 1
            break
    launcher.say("Stopping web, worker and beat...\n")
    launcher.stop()
    _give_back_terminal(taken)
    launcher.say("Stopped.\n")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
