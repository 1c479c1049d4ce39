"""URL imports cannot reach inside (docs/reliability.md §10 (scenario 3.10))."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from media_library import urlfetch
from media_library.urlfetch import UrlRefusedError, download
from tests.media_library.https_server import HttpsServer, https_server


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record (and fail) every TCP connection attempt the fetcher makes."""
    attempts: list[tuple[str, int]] = []

    def refuse(address: str, port: int, timeout: float) -> Any:
        attempts.append((address, port))
        raise ConnectionRefusedError("connections are recorded, not made")

    monkeypatch.setattr(urlfetch, "open_connection", refuse)
    return attempts


@pytest.fixture
def server(tmp_path: Path, settings: Any) -> Iterator[HttpsServer]:
    with https_server(tmp_path) as running:
        settings.MEDIA_IMPORT_TRUSTED_HOSTS = ["localhost"]
        settings.MEDIA_IMPORT_ALLOWED_PORTS = [443, running.port]
        settings.MEDIA_IMPORT_CA_FILE = str(running.ca_file)
        yield running


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "Only https:// URLs"),
        ("https://169.254.169.254/latest/meta-data/", "resolves to 169.254.169.254"),
        ("https://127.0.0.1/video.mp4", "resolves to 127.0.0.1"),
        ("https://[::ffff:127.0.0.1]/video.mp4", "resolves to 127.0.0.1"),
        ("https://[::1]/video.mp4", "resolves to ::1"),
        ("https://0.0.0.0/video.mp4", "resolves to 0.0.0.0"),
        ("https://2130706433/video.mp4", "resolves to 127.0.0.1"),
        ("https://localhost./video.mp4", "internal address"),
        ("https://10.0.0.8/video.mp4", "resolves to 10.0.0.8"),
        ("https://[fd00::1]/video.mp4", "resolves to fd00::1"),
        ("file:///etc/passwd", "file:// is not allowed"),
        ("gopher://example.com/_SLAVEOF", "gopher:// is not allowed"),
        ("ftp://example.com/video.mp4", "ftp:// is not allowed"),
        ("https://example.com:22/video.mp4", "not port 22"),
        ("https://user:pw@example.com/video.mp4", "user name or password"),
        ("https://example.com:99999/video.mp4", "not a valid URL"),
    ],
)
def test_internal_and_odd_urls_are_refused_before_connecting(
    url: str, reason: str, no_connections: list[tuple[str, int]]
) -> None:
    # when
    with pytest.raises(UrlRefusedError) as refusal:
        download(url)
    # then
    assert reason in refusal.value.reason
    assert no_connections == []


def test_a_name_with_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, no_connections: list[tuple[str, int]]
) -> None:
    # given: DNS answers one public and one private address
    monkeypatch.setattr(
        urlfetch, "resolve_host", lambda host, port: ["93.184.215.14", "10.1.2.3"]
    )
    # when
    with pytest.raises(UrlRefusedError, match=r"resolves to 10\.1\.2\.3"):
        download("https://media.example.com/video.mp4")
    # then
    assert no_connections == []


def test_a_second_dns_answer_cannot_move_the_connection(
    monkeypatch: pytest.MonkeyPatch, no_connections: list[tuple[str, int]]
) -> None:
    # given: DNS answers public first, private on any later lookup (rebinding)
    answers = iter([["93.184.215.14"], ["127.0.0.1"], ["127.0.0.1"]])
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    monkeypatch.setattr(urlfetch, "resolve_host", resolve)
    # when
    with pytest.raises(UrlRefusedError):
        download("https://rebind.example.com/video.mp4")
    # then: one lookup, and the connection went to the address that was checked
    assert lookups == ["rebind.example.com"]
    assert no_connections == [("93.184.215.14", 443)]


def test_an_allowed_server_is_downloaded(server: HttpsServer) -> None:
    # given
    server.serve_bytes("/media/clip.mp4", b"\x00" * 5000)
    # when
    fetched = download(server.url("/media/clip.mp4"))
    # then
    try:
        assert fetched.path.read_bytes() == b"\x00" * 5000
        assert fetched.filename == "clip.mp4"
        assert fetched.size_bytes == 5000
    finally:
        fetched.path.unlink()


def test_a_redirect_to_an_internal_address_is_refused_on_that_hop(
    server: HttpsServer,
) -> None:
    # given: a trusted server that redirects to the metadata service
    server.redirect("/go", "https://169.254.169.254/latest/meta-data/")
    # when
    with pytest.raises(UrlRefusedError, match=r"resolves to 169\.254\.169\.254"):
        download(server.url("/go"))
    # then
    assert server.requests == ["/go"]


def test_a_redirect_to_plain_http_is_refused(server: HttpsServer) -> None:
    server.redirect("/go", "http://example.com/video.mp4")
    with pytest.raises(UrlRefusedError, match="Only https:// URLs"):
        download(server.url("/go"))


def test_three_redirects_are_followed_and_a_fourth_is_refused(
    server: HttpsServer,
) -> None:
    # given
    server.serve_bytes("/final.mp4", b"video")
    for hop in range(1, 5):
        server.redirect(f"/hop{hop}", f"/hop{hop + 1}" if hop < 4 else "/final.mp4")
    server.redirect("/hop0", "/hop1")
    # when: /hop2 -> /hop3 -> /hop4 -> /final.mp4 is three redirects
    fetched = download(server.url("/hop2"))
    fetched.path.unlink()
    # then: four is one too many
    with pytest.raises(UrlRefusedError, match="redirects more than 3 times"):
        download(server.url("/hop1"))


def test_a_declared_size_over_the_cap_is_refused_unread(
    server: HttpsServer, settings: Any
) -> None:
    settings.MEDIA_MAX_FILE_BYTES = 1000
    server.serve_bytes("/big.mp4", b"x" * 10, declared=5000)
    with pytest.raises(UrlRefusedError, match="5,000 bytes, more than the library"):
        download(server.url("/big.mp4"))


def test_a_body_over_the_cap_is_cut_off_and_removed(
    server: HttpsServer, settings: Any, tmp_path: Path
) -> None:
    # given: a server that does not say how big the file is
    settings.MEDIA_MAX_FILE_BYTES = 1000

    def unsized(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(b"x" * 5000)

    server.routes["/stream.mp4"] = unsized
    # when
    with pytest.raises(UrlRefusedError, match="larger than the library's limit"):
        download(server.url("/stream.mp4"), directory=str(tmp_path))
    # then
    assert list(tmp_path.glob("postdeck-download-*")) == []


def test_an_error_answer_is_refused(server: HttpsServer) -> None:
    with pytest.raises(UrlRefusedError, match="HTTP 404"):
        download(server.url("/missing.mp4"))


def test_a_certificate_for_another_name_is_refused(
    server: HttpsServer, settings: Any
) -> None:
    # given: the name is trusted but the certificate is not for it
    settings.MEDIA_IMPORT_TRUSTED_HOSTS = ["localhost", "127.0.0.2"]
    server.serve_bytes("/clip.mp4", b"video")
    # then
    with pytest.raises(UrlRefusedError, match="Could not fetch"):
        download(f"https://127.0.0.2:{server.port}/clip.mp4")


def test_running_past_the_deadline_is_refused(
    server: HttpsServer, settings: Any
) -> None:
    settings.MEDIA_IMPORT_URL_TIMEOUT_SECONDS = 0
    server.serve_bytes("/clip.mp4", b"video")
    with pytest.raises(UrlRefusedError, match="ran out of time"):
        download(server.url("/clip.mp4"))
