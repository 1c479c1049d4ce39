"""Connect an account and publish a video over real HTTP, then grep every log
line the run wrote for the OAuth code, the state, each token and upload_token.

The sandbox server here logs each request line through ``django.server`` as
runserver does (the gunicorn access log is tested in tests/config).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tests.tiktok_sandbox.server import SandboxApi, _use
from tiktok_integration.models import PublishJob, TikTokAccount

TOKEN_KEYS = {"access_token", "refresh_token"}


class _LoggingServerThread(LiveServerThread):
    """A live server whose handler logs every request line, like runserver."""

    def _create_server(self, connections_override: Any = None) -> Any:
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture(scope="module")
def _logging_server(django_db_setup: None) -> Iterator[_LoggingServerThread]:
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    thread = _LoggingServerThread(
        "127.0.0.1", StaticFilesHandler, connections_override=shared, port=0
    )
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


@pytest.fixture
def sandbox(
    transactional_db: None, settings: Any, _logging_server: _LoggingServerThread
) -> SandboxApi:
    api = _use(_logging_server, settings)
    settings.TIKTOK_POLL_FIRST_SECONDS = 0.0
    return api


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    """caplog at DEBUG for every logger, also those that do not propagate."""
    caplog.set_level(logging.DEBUG)
    names = list(logging.root.manager.loggerDict)
    silent: list[logging.Logger] = []
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
        logger = logging.getLogger(name)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            silent.append(logger)
    yield caplog
    for logger in silent:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def http_traffic(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (URL, response body) sent through ``requests`` in this process."""
    seen: list[tuple[str, str]] = []
    original = requests.Session.send

    def send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        response = original(self, request, **kwargs)
        seen.append((str(request.url), response.text))
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


def secrets_in(traffic: list[tuple[str, str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {
        "code": set(),
        "state": set(),
        "upload_token": set(),
        "token": set(),
    }
    for url, body in traffic:
        query = parse_qs(urlsplit(url).query)
        for name in ("code", "state", "upload_token"):
            found[name].update(query.get(name, []))
        for token in re.findall(r"upload_token=([^&\"\s]+)", body):
            found["upload_token"].add(token)
        try:
            payload = json.loads(body)
        except ValueError:
            continue
        data = payload.get("data", payload) if isinstance(payload, dict) else {}
        if isinstance(data, dict):
            found["token"].update(str(data[key]) for key in TOKEN_KEYS if data.get(key))
    return found


def test_no_log_line_of_a_connect_and_publish_run_holds_a_secret(
    sandbox, client, every_log_record, http_traffic
):
    # given a workspace manager in a browser talking to Postdeck over HTTP
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    browser = requests.Session()
    browser.cookies.set(
        django_settings.SESSION_COOKIE_NAME,
        client.cookies[django_settings.SESSION_COOKIE_NAME].value,
    )
    workspace = membership.workspace
    # when they connect an account: Connect → TikTok's consent page → callback
    start = browser.get(
        f"{sandbox.url}/tiktok/connect/",
        params={"workspace": workspace.pk},
        allow_redirects=False,
        timeout=10,
    )
    assert start.status_code == 302, start.text
    consent = browser.get(start.headers["Location"], timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', consent.text)
    assert csrf is not None, consent.text
    creator = re.search(r'name="creator" value="([^"]+)"', consent.text)
    assert creator is not None
    approved = browser.post(
        start.headers["Location"],
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "creator": creator.group(1),
            "scopes": re.findall(r'name="scopes" value="([^"]+)"', consent.text),
            "decision": "approve",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["Location"])
    finished = browser.get(
        f"{sandbox.url}{back.path}?{back.query}", allow_redirects=False, timeout=30
    )
    assert finished.status_code == 303, finished.text
    account = TikTokAccount.objects.get()
    # and a scheduled video is published
    job = scheduled_job(account)
    drive()
    job.refresh_from_db()
    assert job.status == PublishJob.Status.PUBLISHED
    # then the run logged its requests, and no secret in any line
    log = every_log_record.text
    assert re.search(r'"GET /tiktok/callback/\S* HTTP/1.1" 303', log), log
    assert re.search(r'"PUT /tiktok-sandbox/upload/\S* HTTP/1.1" 201', log), log
    secrets = secrets_in(http_traffic)
    secrets["token"].update(
        {account.access_token.reveal(), account.refresh_token.reveal()}
    )
    assert all(secrets.values()), secrets
    messages = [record.getMessage() for record in every_log_record.records]
    for kind, values in secrets.items():
        for value in values:
            # As sent: a query string carries it percent-encoded.
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                assert form not in log, f"{kind} {form!r} was logged"
                assert not any(form in message for message in messages), kind
