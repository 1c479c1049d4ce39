"""The session: default timeouts, connect-only retries and URL-free urllib3 logs.

Two tests talk to a real socket on 127.0.0.1 (let through the responses mock) so
the streaming body, the headers on the wire and urllib3's own log lines are real.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import requests
import responses

from tiktok_integration.client import (
    FileRangeReader,
    TikTokClient,
    TikTokTransientError,
    build_session,
)
from tiktok_integration.client.http import TimeoutHTTPAdapter, parse_retry_after

from .support import capture_everything, sent_timeout

SECRET_QUERY = "upload_id=1&upload_token=wire-secret-5e6f"


class RecordingUploadHandler(BaseHTTPRequestHandler):
    """Accepts one chunk PUT and remembers what arrived on the wire."""

    received: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length),
            }
        )
        self.send_response(206)
        self.send_header("Content-Range", f"bytes 0-{length - 1}/{length * 3}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test server quiet."""


@pytest.fixture
def upload_server(mocked_responses: responses.RequestsMock) -> Iterator[str]:
    RecordingUploadHandler.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingUploadHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    mocked_responses.add_passthru(base)
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url(mocked_responses: responses.RequestsMock) -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    mocked_responses.add_passthru(base)
    return base


def test_session_has_a_fixed_user_agent_and_the_timeout_adapter() -> None:
    session = build_session(user_agent="postdeck/2.0 (+https://cms.example.com)")
    assert session.headers["User-Agent"] == "postdeck/2.0 (+https://cms.example.com)"
    for prefix in ("https://", "http://"):
        adapter = session.get_adapter(prefix + "open.tiktokapis.com")
        assert isinstance(adapter, TimeoutHTTPAdapter)
        assert adapter.default_timeout == (3.05, 15.0)


def test_only_connection_errors_are_retried() -> None:
    # Given the adapter's retry policy,
    adapter = build_session(user_agent="t").get_adapter("https://open.tiktokapis.com")
    assert isinstance(adapter, TimeoutHTTPAdapter)
    retry = adapter.max_retries

    # then failed connections are retried twice, while reads, statuses and
    # redirects, which happen after TikTok got the request, are never replayed.
    assert (retry.connect, retry.read, retry.status, retry.other) == (2, 0, 0, 0)
    assert retry.total == 2
    assert retry.backoff_factor == 0.5


def test_default_timeout_applies_when_the_caller_gives_none(
    mocked_responses: responses.RequestsMock,
) -> None:
    # Given a session built with custom timeouts,
    session = build_session(user_agent="t", connect_timeout=1.5, read_timeout=7.0)
    mocked_responses.get("https://open.tiktokapis.com/ping", body="pong")

    # when a request forgets its timeout and another one sets its own,
    session.get("https://open.tiktokapis.com/ping")
    session.get("https://open.tiktokapis.com/ping", timeout=(2.0, 3.0))

    # then the adapter fills in the default and leaves an explicit one alone.
    sent = [sent_timeout(call) for call in mocked_responses.calls]
    assert sent == [(1.5, 7.0), (2.0, 3.0)]


def test_urllib3_url_logging_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    # Given the filter that build_session installs,
    build_session(user_agent="t")
    capture_everything(caplog)

    # when urllib3 logs a request line and a retry warning with an upload URL,
    connectionpool = logging.getLogger("urllib3.connectionpool")
    connectionpool.debug(
        '%s://%s:%s "%s %s %s" %s %s',
        "https",
        "open-upload.tiktokapis.com",
        443,
        "PUT",
        f"/video/?{SECRET_QUERY}",
        "HTTP/1.1",
        206,
        0,
    )
    connectionpool.warning(
        "Retrying (%r) after connection broken by '%r': %s",
        "Retry(total=1)",
        ConnectionResetError(),
        f"/video/?{SECRET_QUERY}",
    )

    # then the query string never reaches a handler.
    assert "wire-secret-5e6f" not in caplog.text
    assert '"PUT /video/?<redacted> HTTP/1.1" 206' in caplog.text


def test_real_chunk_put_streams_with_content_length_and_logs_no_token(
    upload_server: str, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    # Given a 3 MiB file on disk and a real upload endpoint,
    data = bytes(range(256)) * (3 * 4096)
    video = tmp_path / "clip.mp4"
    video.write_bytes(data)
    client = TikTokClient(
        api_base_url=upload_server, session=build_session(user_agent="t")
    )
    capture_everything(caplog)

    # when its middle MiB is PUT through a FileRangeReader,
    with video.open("rb") as fileobj:
        reader = FileRangeReader(
            fileobj, 1024 * 1024, 1024 * 1024, block_size=64 * 1024
        )
        result = client.upload_chunk(
            upload_url=f"{upload_server}/video/?{SECRET_QUERY}",
            body=reader,
            first=1024 * 1024,
            last=2 * 1024 * 1024 - 1,
            total=len(data),
            is_final=False,
        )

    # then the wire carried exactly that MiB with a Content-Length (no chunked
    # encoding), the exact Content-Range and no Authorization,
    (received,) = RecordingUploadHandler.received
    assert received["path"] == f"/video/?{SECRET_QUERY}"
    assert received["body"] == data[1024 * 1024 : 2 * 1024 * 1024]
    assert received["headers"]["Content-Length"] == str(1024 * 1024)
    assert "Transfer-Encoding" not in received["headers"]
    assert received["headers"]["Content-Range"] == (
        f"bytes {1024 * 1024}-{2 * 1024 * 1024 - 1}/{len(data)}"
    )
    assert "Authorization" not in received["headers"]
    assert result.http_status == 206
    assert result.uploaded_bytes == 1024 * 1024
    # and urllib3 did log the request, but without the upload token.
    assert "/video/?<redacted>" in caplog.text
    assert "wire-secret-5e6f" not in caplog.text


def test_refused_connection_is_retried_then_transient_without_leaking_the_url(
    closed_port_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given nothing listens on the upload host,
    client = TikTokClient(
        api_base_url=closed_port_url, session=build_session(user_agent="t")
    )
    capture_everything(caplog)

    # when a final chunk is sent,
    with pytest.raises(TikTokTransientError) as caught:
        client.upload_chunk(
            upload_url=f"{closed_port_url}/video/?{SECRET_QUERY}",
            body=b"0123456789",
            first=0,
            last=9,
            total=10,
            is_final=True,
        )

    # then nothing was sent, so even a final chunk is merely transient; urllib3
    # retried the connection twice, and neither its warnings nor the error show
    # the upload token.
    assert caught.value.code == "connection_failed"
    assert caught.value.__cause__ is None
    assert caplog.text.count("Retrying") == 2
    assert "wire-secret-5e6f" not in caplog.text
    assert "wire-secret-5e6f" not in str(caught.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        ("-5", 0.0),
        ("nan", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("not a date", None),
    ],
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date_in_the_future() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    wait = parse_retry_after(later)
    assert wait is not None
    assert 80 <= wait <= 90


def test_session_request_without_timeout_uses_the_adapter_default_on_the_wire(
    upload_server: str,
) -> None:
    # Given a plain session call on a real socket, then the socket got a timeout.
    session = build_session(user_agent="t", connect_timeout=2.0, read_timeout=4.0)
    seen: list[Any] = []
    original_send = requests.adapters.HTTPAdapter.send

    def spy(self: Any, request: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["timeout"])
        return original_send(self, request, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.adapters.HTTPAdapter, "send", spy)
        response = session.put(f"{upload_server}/video/", data=io.BytesIO(b"abc"))
    assert response.status_code == 206
    assert seen == [(2.0, 4.0)]
