"""A real HTTP sandbox for each test, and small helpers to talk to it.

``sandbox_server`` runs Django on 127.0.0.1 in a thread whose request handler
hands its socket to the app (environ["postdeck.socket"], as gunicorn does with
"gunicorn.socket"), so "answer, then drop the connection" really drops it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from pytest_django.fixtures import Settings as SettingsWrapper

from tiktok_integration.sandbox.models import SandboxCreator
from tiktok_integration.sandbox.services import (
    IssuedTokens,
    sandbox_ensure_defaults,
    sandbox_settings_update,
    sandbox_tokens_issue,
)
from tiktok_integration.sandbox.views.common import SOCKET_ENVIRON_KEY

ALL_SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.publish",
    "video.upload",
)
TIMEOUT = 10


class _SocketExposingHandler(QuietWSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = dict(super().get_environ())
        environ[SOCKET_ENVIRON_KEY] = self.connection
        return environ


class _SandboxServerThread(LiveServerThread):
    def __init__(self, *args: Any, expose_socket: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expose_socket = expose_socket

    def _create_server(self, connections_override: Any = None) -> Any:
        handler = (
            _SocketExposingHandler if self.expose_socket else QuietWSGIRequestHandler
        )
        return self.server_class(
            (self.host, self.port),
            handler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@dataclass
class SandboxApi:
    """Raw ``requests`` against the sandbox, as TikTok's documentation shows."""

    url: str

    @property
    def base(self) -> str:
        return f"{self.url}/tiktok-sandbox"

    def post(
        self,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        timeout: float = TIMEOUT,
    ) -> requests.Response:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body)
        return requests.post(
            self.base + path, data=data, headers=headers, timeout=timeout
        )

    def get(self, path: str, *, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(self.base + path, headers=headers, timeout=TIMEOUT)

    def form(self, path: str, data: dict[str, str]) -> requests.Response:
        return requests.post(self.base + path, data=data, timeout=TIMEOUT)

    def put_chunk(
        self,
        upload_url: str,
        payload: bytes,
        *,
        first: int,
        total: int,
        content_type: str = "video/mp4",
    ) -> requests.Response:
        headers = {
            "Content-Type": content_type,
            "Content-Range": f"bytes {first}-{first + len(payload) - 1}/{total}",
        }
        return requests.put(upload_url, data=payload, headers=headers, timeout=TIMEOUT)


def _start(expose_socket: bool) -> _SandboxServerThread:
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    thread = _SandboxServerThread(
        "127.0.0.1",
        StaticFilesHandler,
        connections_override=shared,
        port=0,
        expose_socket=expose_socket,
    )
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return thread


def _stop(thread: _SandboxServerThread) -> None:
    thread.terminate()
    for conn in (thread.connections_override or {}).values():
        conn.dec_thread_sharing()


@pytest.fixture(scope="session")
def _socket_server(django_db_setup: None) -> Iterator[_SandboxServerThread]:
    # One server per session: stopping one waits out serve_forever's poll.
    thread = _start(expose_socket=True)
    yield thread
    _stop(thread)


@pytest.fixture(scope="session")
def _plain_server(django_db_setup: None) -> Iterator[_SandboxServerThread]:
    thread = _start(expose_socket=False)
    yield thread
    _stop(thread)


def _use(thread: _SandboxServerThread, settings: SettingsWrapper) -> SandboxApi:
    url = f"http://127.0.0.1:{thread.port}"
    settings.TIKTOK_SANDBOX = True
    settings.BASE_URL = url
    settings.TIKTOK_API_BASE_URL = f"{url}/tiktok-sandbox"
    settings.TIKTOK_AUTHORIZE_URL = f"{url}/tiktok-sandbox/v2/auth/authorize/"
    sandbox_ensure_defaults()
    # Tests move time on by hand; webhooks go only where a test points them.
    sandbox_settings_update(
        processing_delay_seconds=0, moderation_delay_seconds=0, webhooks_enabled=False
    )
    return SandboxApi(url=url)


@pytest.fixture
def sandbox(
    transactional_db: None,
    settings: SettingsWrapper,
    _socket_server: _SandboxServerThread,
) -> SandboxApi:
    """The sandbox over real HTTP, with its default creators and no delays."""
    return _use(_socket_server, settings)


@pytest.fixture
def sandbox_without_socket(
    transactional_db: None,
    settings: SettingsWrapper,
    _plain_server: _SandboxServerThread,
) -> SandboxApi:
    """Like ``sandbox`` but on a server that cannot hand over its socket."""
    return _use(_plain_server, settings)


@pytest.fixture
def public_creator(sandbox: SandboxApi) -> SandboxCreator:
    return SandboxCreator.objects.get(username="sandbox.public")


@pytest.fixture
def private_creator(sandbox: SandboxApi) -> SandboxCreator:
    return SandboxCreator.objects.get(username="sandbox.private")


@pytest.fixture
def public_tokens(public_creator: SandboxCreator) -> IssuedTokens:
    return sandbox_tokens_issue(creator=public_creator, scopes=ALL_SCOPES)


@pytest.fixture
def private_tokens(private_creator: SandboxCreator) -> IssuedTokens:
    return sandbox_tokens_issue(creator=private_creator, scopes=ALL_SCOPES)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalHttpServer:
    """A tiny HTTP server on 127.0.0.1: records POSTs (webhooks) and serves
    ``files`` on GET (media for PULL_FROM_URL)."""

    url: str
    received: list[Received] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200


@pytest.fixture
def local_http() -> Iterator[LocalHttpServer]:
    state = LocalHttpServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(
                Received(dict(self.headers.items()), self.rfile.read(length))
            )
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            payload = state.files.get(self.path)
            if payload is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
