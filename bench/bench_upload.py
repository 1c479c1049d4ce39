"""Chunked upload: the TikTok client vs curl, PUTting the same chunks to the sandbox.

The built-in sandbox runs under gunicorn on 127.0.0.1 with its own settings and a
file SQLite database in a temporary POSTDECK_VAR_DIR. For a 100 MiB and a 1 GiB
sparse file, each side gets its own Direct Post init (an upload_url) and sends the
file in the plan ``plan_chunks`` makes (10 MB chunks, the last one absorbing the
leftover):

- the client in a child process (TikTokClient.upload_chunk streaming each range
  through FileRangeReader), whose peak resident memory it reports (VmHWM);
- curl, one process for all chunks (``--next`` reuses the connection), each chunk
  a sparse file of zeros made before the timed region, sent with
  ``--upload-file`` (a streamed PUT).

The sandbox writes the bytes to disk and hashes them when the last chunk arrives,
for both sides alike; both must end with the same size and SHA-256.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MIB = 1024 * 1024
SIZES = (100 * MIB, 1024 * MIB)
ROUNDS = 3
USER_AGENT = "postdeck-bench/1.0"
REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="postdeck-bench-upload-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _sandbox_env(work, base_url)
    server: subprocess.Popen[bytes] | None = None
    try:
        _manage(env, "migrate", "--noinput", "-v", "0")
        server = _start_gunicorn(env, port, work / "gunicorn.log")
        tokens = _issue_tokens(env, count=len(SIZES) * ROUNDS * 2)
        api_base = f"{base_url}/tiktok-sandbox"
        results = []
        for size in SIZES:
            video = work / f"video-{size // MIB}MiB.mp4"
            _sparse(video, size)
            best: dict[str, Any] = {}
            for _ in range(ROUNDS):
                client = _client_upload(api_base, tokens.pop(), video)
                curl = _curl_upload(api_base, tokens.pop(), video, work)
                best = _better(best, client, curl)
            video.unlink()
            results.append((size, best))
        digests = _received(env)
        for size, best in results:
            _report(size, best, digests)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


# --- the sandbox server ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sandbox_env(work: Path, base_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "POSTDECK_", "TIKTOK_", "DATABASE_"))
        and key not in ("FIELD_ENCRYPTION_KEYS", "TEST_DATABASE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_READ_DOT_ENV="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        POSTDECK_VAR_DIR=str(work / "var"),
        POSTDECK_BASE_URL=base_url,
        TIKTOK_SANDBOX="true",
        PYTHONPATH=str(REPO),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py; returns the last line it printed (the JSON answer)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def _start_gunicorn(
    env: dict[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "300",
            ],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 30 s.")


_ISSUE_TOKENS = """
import json
from tiktok_sandbox.services import (
    sandbox_ensure_defaults, sandbox_settings_update, sandbox_tokens_issue,
)
from tiktok_sandbox.selectors import sandbox_creator_get
sandbox_ensure_defaults()
sandbox_settings_update(webhooks_enabled=False)
creator = sandbox_creator_get(username="sandbox.public")
print(json.dumps([
    sandbox_tokens_issue(creator=creator, scopes=["video.publish"]).access_token
    for _ in range({count})
]))
"""

_RECEIVED = """
import json
from tiktok_sandbox.selectors import sandbox_publish_list
print(json.dumps({
    publish.publish_id: [publish.received_size, publish.received_sha256]
    for publish in sandbox_publish_list()
}))
"""


def _issue_tokens(env: dict[str, str], *, count: int) -> list[str]:
    # One token per init: TikTok allows 6 inits a minute per token.
    tokens: list[str] = json.loads(
        _manage(env, "shell", "-c", _ISSUE_TOKENS.format(count=count))
    )
    return tokens


def _received(env: dict[str, str]) -> dict[str, list[Any]]:
    received: dict[str, list[Any]] = json.loads(_manage(env, "shell", "-c", _RECEIVED))
    return received


# --- the two uploaders ----------------------------------------------------------


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)


def _init(api_base: str, token: str, size: int) -> tuple[str, str, Any]:
    from tiktok_integration.client import (
        PrivacyLevel,
        TikTokClient,
        VideoPostRequest,
        build_session,
        plan_chunks,
    )

    plan = plan_chunks(size)
    with build_session(user_agent=USER_AGENT) as session:
        init = TikTokClient(api_base_url=api_base, session=session).init_direct_video(
            access_token=token,
            post=VideoPostRequest(privacy_level=PrivacyLevel.SELF_ONLY),
            source=plan.as_source(),
        )
    if init.upload_url is None:
        raise RuntimeError("The sandbox answered a FILE_UPLOAD init without a URL.")
    return init.publish_id, init.upload_url, plan


def _client_upload(api_base: str, token: str, video: Path) -> dict[str, Any]:
    publish_id, upload_url, _ = _init(api_base, token, video.stat().st_size)
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_upload", str(video)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if child.stdin is None or child.stdout is None:
        raise RuntimeError("The child's pipes were not opened.")
    # The upload_url is a credential: it goes through a pipe, not argv.
    child.stdin.write(upload_url.encode())
    child.stdin.close()
    output = child.stdout.read()
    child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"The client upload failed ({child.returncode}).")
    report: dict[str, Any] = json.loads(output)
    # The child's own VmHWM: wait4's ru_maxrss would also count this (large,
    # benchmark-running) parent's memory as it was before the child's exec.
    report.update(publish_id=publish_id, peak_rss_mib=report["peak_rss_kib"] / 1024)
    return report


def _child_upload(video: Path) -> None:
    """The child: upload ``video`` to the upload_url read from stdin."""
    from tiktok_integration.client import (
        FileRangeReader,
        TikTokClient,
        build_session,
        plan_chunks,
    )

    upload_url = sys.stdin.read().strip()
    size = video.stat().st_size
    plan = plan_chunks(size)
    statuses = []
    with (
        build_session(user_agent=USER_AGENT) as session,
        video.open("rb") as handle,
    ):
        client = TikTokClient(api_base_url="http://127.0.0.1", session=session)
        started = time.perf_counter()
        for index, first, last in plan.chunk_ranges():
            result = client.upload_chunk(
                upload_url=upload_url,
                body=FileRangeReader(handle, first, last - first + 1),
                first=first,
                last=last,
                total=size,
                is_final=index == plan.total_chunk_count - 1,
            )
            statuses.append(result.http_status)
        seconds = time.perf_counter() - started
    from media_library.workers.common import peak_rss_kib

    print(
        json.dumps(
            {"seconds": seconds, "statuses": statuses, "peak_rss_kib": peak_rss_kib()}
        )
    )


def _curl_upload(api_base: str, token: str, video: Path, work: Path) -> dict[str, Any]:
    size = video.stat().st_size
    publish_id, upload_url, plan = _init(api_base, token, size)
    chunks = work / "curl-chunks"
    chunks.mkdir(exist_ok=True)
    # --upload-file streams each chunk (--data-binary @file would read all of
    # them into memory while parsing the command line). curl would append the
    # file name to a URL path ending in "/", so the URL names a file and
    # --request-target sends the real path and query, verbatim.
    parts = urlsplit(upload_url)
    target = f"{parts.path}?{parts.query}"
    address = f"{parts.scheme}://{parts.netloc}/chunk"
    command = ["curl", "--silent", "--show-error"]
    for index, first, last in plan.chunk_ranges():
        chunk = chunks / f"{index:04d}.bin"
        # The same bytes as the sparse video's range: zeros, sparse as well.
        _sparse(chunk, last - first + 1)
        if index:
            command.append("--next")
        command += [
            "--upload-file",
            str(chunk),
            "--request-target",
            target,
            "--header",
            "Content-Type: video/mp4",
            "--header",
            f"Content-Range: bytes {first}-{last}/{size}",
            "--header",
            "Expect:",
            "--output",
            "/dev/null",
            "--write-out",
            "%{http_code}\\n",
            address,
        ]
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(chunks)
    statuses = [int(code) for code in done.stdout.split()]
    return {"seconds": seconds, "statuses": statuses, "publish_id": publish_id}


# --- reporting ------------------------------------------------------------------


def _better(
    best: dict[str, Any], client: dict[str, Any], curl: dict[str, Any]
) -> dict[str, Any]:
    for side, run in (("client", client), ("curl", curl)):
        expected = [206] * (len(run["statuses"]) - 1) + [201]
        if run["statuses"] != expected:
            raise RuntimeError(f"{side} upload answered {run['statuses']}.")
    if not best:
        return {"client": client, "curl": curl, "peak_rss_mib": client["peak_rss_mib"]}
    return {
        "client": min(best["client"], client, key=lambda run: run["seconds"]),
        "curl": min(best["curl"], curl, key=lambda run: run["seconds"]),
        "peak_rss_mib": max(best["peak_rss_mib"], client["peak_rss_mib"]),
    }


def _report(size: int, best: dict[str, Any], digests: dict[str, list[Any]]) -> None:
    client, curl = best["client"], best["curl"]
    client_received = digests[client["publish_id"]]
    curl_received = digests[curl["publish_id"]]
    if client_received != curl_received or client_received[0] != size:
        raise RuntimeError(
            f"The sandbox received {client_received} from the client and "
            f"{curl_received} from curl for {size} bytes."
        )
    client_rate = size / MIB / client["seconds"]
    curl_rate = size / MIB / curl["seconds"]
    chunks = len(client["statuses"])
    print(
        f"upload {size // MIB} MiB in {chunks} chunks (best of {ROUNDS}): "
        f"client {client_rate:.1f} MiB/s ({client['seconds']:.2f} s), "
        f"curl {curl_rate:.1f} MiB/s ({curl['seconds']:.2f} s)"
    )
    print(
        "  ratio (client / curl throughput, goal >= 0.9): "
        f"{client_rate / curl_rate:.2f}"
    )
    print(
        f"  client peak RSS: {best['peak_rss_mib']:.1f} MiB (goal < 150 MB); "
        f"sandbox SHA-256 {client_received[1][:16]}... same for both"
    )


if __name__ == "__main__":
    _child_upload(Path(sys.argv[1]))
