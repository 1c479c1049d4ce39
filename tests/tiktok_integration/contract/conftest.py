"""The real client against the built-in sandbox over real HTTP.

The sandbox's live-server fixtures are reused as they are; the clients are the
production classes built with ``build_session``, pointed at the live server.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.tiktok_sandbox.server import (
    SandboxApi,
    _SandboxServerThread,
    _start,
    _stop,
)
from tiktok_integration.client import (
    CallRecord,
    TikTokClient,
    TikTokOAuthClient,
    build_session,
)

USER_AGENT = "postdeck-contract-tests/1.0"
# Short read timeouts keep a dropped or hung answer from slowing the suite.
TIMEOUT = (3.05, 10.0)


def _wait_for_request_threads(seconds: float) -> None:
    # A keep-alive connection closed late leaves its server thread about to
    # close Django's connections; once the server has stopped sharing the
    # in-memory database, that fails, so let such threads end first.
    gc.collect()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)")
        for thread in threading.enumerate()
    ):
        time.sleep(0.01)


@pytest.fixture(scope="session")
def _socket_server(django_db_setup: None) -> Iterator[_SandboxServerThread]:
    """The shared sandbox server, stopped only after its request threads."""
    thread = _start(expose_socket=True)
    yield thread
    _wait_for_request_threads(5)
    _stop(thread)


@pytest.fixture(scope="session")
def _plain_server(django_db_setup: None) -> Iterator[_SandboxServerThread]:
    thread = _start(expose_socket=False)
    yield thread
    _wait_for_request_threads(5)
    _stop(thread)


@pytest.fixture
def call_records() -> list[CallRecord]:
    return []


@pytest.fixture
def api(
    sandbox: SandboxApi,
    call_records: list[CallRecord],
) -> Iterator[TikTokClient]:
    """TikTokClient at the sandbox's API base (settings point at the live server)."""
    session = build_session(user_agent=USER_AGENT)
    yield TikTokClient(
        api_base_url=settings.TIKTOK_API_BASE_URL,
        session=session,
        on_call=call_records.append,
        timeout=TIMEOUT,
        upload_timeout=TIMEOUT,
    )
    session.close()


@pytest.fixture
def oauth(
    sandbox: SandboxApi,
    call_records: list[CallRecord],
) -> Iterator[TikTokOAuthClient]:
    session = build_session(user_agent=USER_AGENT)
    yield TikTokOAuthClient(
        client_key=settings.TIKTOK_CLIENT_KEY,
        client_secret=settings.TIKTOK_CLIENT_SECRET,
        redirect_uri=settings.TIKTOK_REDIRECT_URI,
        authorize_url=settings.TIKTOK_AUTHORIZE_URL,
        api_base_url=settings.TIKTOK_API_BASE_URL,
        session=session,
        on_call=call_records.append,
        timeout=TIMEOUT,
    )
    session.close()


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    """A 3-chunk video under the client's default plan: 2 x 10 MB plus a tail."""
    path = tmp_path / "video.mp4"
    path.write_bytes(os.urandom(2 * 10_000_000 + 10_000_123))
    return path
