"""The built-in TikTok sandbox as a real HTTP server for tests, and helpers to
talk to it. The fixtures that start it live in tests/tiktok_sandbox/fixtures.py.

The server thread's request handler hands its socket to the app
(environ["postdeck.socket"], as gunicorn does with "gunicorn.socket"), so
"answer, then drop the connection" really drops it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from pytest_django.fixtures import Settings as SettingsWrapper

from tiktok_sandbox.services import (
    sandbox_ensure_defaults,
    sandbox_settings_update,
)
from tiktok_sandbox.views.common import SOCKET_ENVIRON_KEY

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
