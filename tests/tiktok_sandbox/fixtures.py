"""Fixtures shared by every TikTok test: the sandbox over real HTTP, creators,
tokens, and a small local HTTP server (see server.py). tests/conftest.py loads
this module as a plugin, so the sandbox's tests and the client's share them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.tiktok_sandbox.server import (
    ALL_SCOPES,
    LocalHttpServer,
    Received,
    SandboxApi,
    _SandboxServerThread,
    _start,
    _stop,
    _use,
)
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_tokens_issue,
)


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
