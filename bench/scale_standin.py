"""An instant TikTok for the scale benchmark: answers at once, counts what matters.

A threaded HTTP/1.1 server on 127.0.0.1 inside the benchmark process. It answers
the calls Postdeck's publishing and token paths make (docs/tiktok.md §1.5 token
refresh, §4.2 creator info, §4.3 Direct Post init, §4.6 chunk PUT, §4.8 status)
with no work behind them, so the benchmark measures Postdeck's own cost, and it
is strict where a real TikTok would be:

- tokens are ``at.<open_id>.<generation>`` / ``rt.<open_id>.<generation>``; a
  refresh rotates both, and a refresh token presented after it was rotated is
  counted as *spent twice* and refused with ``invalid_grant`` (§1.9);
- an access token used after it expired is refused (401) and counted; a refresh
  that arrives after the access token expired counts as *expired unrefreshed*;
- TikTok's per-token limits per minute (facts.RATE_LIMIT_PER_MINUTE) are
  enforced with a sliding window, and every 429 is counted;
- an upload completed more than once for the same post title counts as a
  *duplicate publish*.

Times are ``time.time()`` seconds; ``lead`` is the product's refresh window
(compressed), from which the *refresh lag* is measured: seconds from the
planned refresh (expiry minus the window) to the refresh request.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tiktok_integration.client.facts import RATE_LIMIT_PER_MINUTE, RateLimit

_LIMITED_PATHS = {
    "/v2/post/publish/creator_info/query/": RateLimit.CREATOR_INFO,
    "/v2/post/publish/video/init/": RateLimit.INIT,
    "/v2/post/publish/status/fetch/": RateLimit.STATUS_FETCH,
}


@dataclass
class _Account:
    generation: int = 0
    expires_at: float = 0.0


@dataclass
class _Publish:
    open_id: str
    title: str
    size: int
    received: int = 0


@dataclass
class StandInState:
    """Everything the stand-in counts; read it with ``snapshot()``."""

    expires_in: int
    lead: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: dict[str, _Account] = field(default_factory=dict)
    publishes: dict[str, _Publish] = field(default_factory=dict)
    completed: Counter[str] = field(default_factory=Counter)
    windows: dict[tuple[str, str], deque[float]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    counts: Counter[str] = field(default_factory=Counter)
    refresh_lags: list[float] = field(default_factory=list)

    def seed(self, expiries: dict[str, float]) -> None:
        """Accounts (open_id -> access token expiry) holding generation 0."""
        with self.lock:
            for open_id, expires_at in expiries.items():
                self.accounts[open_id] = _Account(0, expires_at)

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """Counters, refresh lags (s) and accounts whose token lapsed unrefreshed."""
        now = time.time() if now is None else now
        with self.lock:
            lapsed_now = sum(1 for a in self.accounts.values() if a.expires_at < now)
            return {
                "counts": dict(self.counts),
                "refresh_lags": list(self.refresh_lags),
                "expired_unrefreshed": self.counts["refresh_after_expiry"] + lapsed_now,
                "duplicates": sum(1 for n in self.completed.values() if n > 1),
                "completed": len(self.completed),
            }

    def allow(self, open_id: str, limit: RateLimit) -> bool:
        """Count one call against the token's per-minute window."""
        now = time.monotonic()
        window = self.windows[(open_id, limit.value)]
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= RATE_LIMIT_PER_MINUTE[limit]:
            return False
        window.append(now)
        return True


def _token_parts(token: str, kind: str) -> tuple[str, int] | None:
    prefix, _, rest = token.partition(".")
    open_id, _, generation = rest.rpartition(".")
    if prefix != kind or not open_id or not generation.isdigit():
        return None
    return open_id, int(generation)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(
        self, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _error(self, status: int, code: str) -> None:
        self._send(status, {"data": {}, "error": {"code": code, "message": code}})

    def do_POST(self) -> None:
        state = self.server.state
        body = self._body()
        with state.lock:
            state.counts["requests"] += 1
            if self.path == "/v2/oauth/token/":
                self._refresh(state, parse_qs(body.decode()))
                return
            open_id = self._bearer(state)
            if open_id is None:
                return
            limit = _LIMITED_PATHS.get(self.path)
            if limit is not None and not state.allow(open_id, limit):
                state.counts["http_429"] += 1
                self._error(429, "rate_limit_exceeded")
                return
            payload = json.loads(body or b"{}")
            if self.path == "/v2/post/publish/creator_info/query/":
                state.counts["creator_info"] += 1
                self._ok(
                    {
                        "creator_nickname": open_id,
                        "creator_username": open_id,
                        "privacy_level_options": [
                            "PUBLIC_TO_EVERYONE",
                            "MUTUAL_FOLLOW_FRIENDS",
                            "SELF_ONLY",
                        ],
                        "comment_disabled": False,
                        "duet_disabled": False,
                        "stitch_disabled": False,
                        "max_video_post_duration_sec": 600,
                    }
                )
            elif self.path == "/v2/post/publish/video/init/":
                self._init(state, open_id, payload)
            elif self.path == "/v2/post/publish/status/fetch/":
                self._status(state, payload)
            else:
                self._error(404, "not_found")

    def do_PUT(self) -> None:
        state = self.server.state
        body = self._body()
        with state.lock:
            state.counts["requests"] += 1
            state.counts["chunk_put"] += 1
            publish = state.publishes.get(self.path.rsplit("/", 1)[-1])
            if publish is None:
                self._send(404, {})
                return
            first, _, rest = self.headers["Content-Range"].split()[1].partition("-")
            last = int(rest.split("/")[0])
            if int(first) != publish.received or last - int(first) + 1 != len(body):
                state.counts["range_mismatch"] += 1
                self._send(416, {}, {"Content-Range": f"bytes */{publish.size}"})
                return
            publish.received = last + 1
            done = publish.received == publish.size
            if done:
                state.completed[publish.title] += 1
            self._send(
                201 if done else 206,
                {},
                {"Content-Range": f"bytes 0-{last}/{publish.size}"},
            )

    def _ok(self, data: dict[str, Any]) -> None:
        self._send(200, {"data": data, "error": {"code": "ok", "message": ""}})

    def _bearer(self, state: StandInState) -> str | None:
        header = self.headers.get("Authorization", "")
        parts = _token_parts(header.removeprefix("Bearer "), "at")
        account = state.accounts.get(parts[0]) if parts else None
        if parts is None or account is None:
            state.counts["http_401"] += 1
            self._error(401, "access_token_invalid")
            return None
        if parts[1] == account.generation and account.expires_at < time.time():
            state.counts["expired_token_used"] += 1
            self._error(401, "access_token_invalid")
            return None
        return parts[0]

    def _refresh(self, state: StandInState, form: dict[str, list[str]]) -> None:
        state.counts["refresh"] += 1
        parts = _token_parts((form.get("refresh_token") or [""])[0], "rt")
        account = state.accounts.get(parts[0]) if parts else None
        if parts is None or account is None or parts[1] != account.generation:
            state.counts["refresh_spent_twice" if account else "refresh_unknown"] += 1
            self._send(400, {"error": "invalid_grant", "error_description": "spent"})
            return
        now = time.time()
        state.refresh_lags.append(now - (account.expires_at - state.lead))
        if now > account.expires_at:
            state.counts["refresh_after_expiry"] += 1
        account.generation += 1
        account.expires_at = now + state.expires_in
        open_id, generation = parts[0], account.generation
        self._send(
            200,
            {
                "open_id": open_id,
                "scope": "user.info.basic,video.publish,video.upload",
                "access_token": f"at.{open_id}.{generation}",
                "expires_in": state.expires_in,
                "refresh_token": f"rt.{open_id}.{generation}",
                "refresh_expires_in": 31536000,
                "token_type": "Bearer",
            },
        )

    def _init(self, state: StandInState, open_id: str, payload: dict[str, Any]) -> None:
        state.counts["init"] += 1
        publish_id = f"p{state.counts['init']}"
        size = int(payload["source_info"]["video_size"])
        title = str((payload.get("post_info") or {}).get("title", ""))
        state.publishes[publish_id] = _Publish(open_id, title, size)
        host, port = self.server.server_address[:2]
        self._ok(
            {
                "publish_id": publish_id,
                "upload_url": f"http://{host!s}:{port}/upload/{publish_id}",
            }
        )

    def _status(self, state: StandInState, payload: dict[str, Any]) -> None:
        state.counts["status_fetch"] += 1
        publish = state.publishes.get(str(payload.get("publish_id")))
        if publish is None:
            self._error(400, "invalid_publish_id")
            return
        done = publish.received == publish.size
        self._ok(
            {
                "status": "PUBLISH_COMPLETE" if done else "PROCESSING_UPLOAD",
                "uploaded_bytes": publish.received,
                "publicaly_available_post_id": [],
            }
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    state: StandInState


def start_standin(*, expires_in: int, lead: float) -> tuple[_Server, StandInState]:
    """Serve on a free 127.0.0.1 port in a daemon thread; (server, state).

    ``expires_in``: access token lifetime in seconds handed out on refresh;
    ``lead``: the product's refresh window in seconds (for the lag). Stop it
    with ``server.shutdown()``.
    """
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = StandInState(expires_in=expires_in, lead=lead)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.state
