"""Fixtures for the pure HTTP client tests: no Django, every request mocked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses

from tiktok_integration.client import (
    CallRecord,
    TikTokClient,
    TikTokOAuthClient,
    build_session,
)

from .support import API_BASE, AUTHORIZE_URL, CLIENT_KEY, CLIENT_SECRET, REDIRECT_URI


@pytest.fixture(autouse=True)
def mocked_responses() -> Iterator[responses.RequestsMock]:
    # Any URL without a registered response fails the call that made it.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def call_records() -> list[CallRecord]:
    return []


@pytest.fixture
def session() -> requests.Session:
    return build_session(user_agent="postdeck-tests/1.0")


@pytest.fixture
def client(session: requests.Session, call_records: list[CallRecord]) -> TikTokClient:
    return TikTokClient(
        api_base_url=API_BASE, session=session, on_call=call_records.append
    )


@pytest.fixture
def oauth_client(
    session: requests.Session, call_records: list[CallRecord]
) -> TikTokOAuthClient:
    return TikTokOAuthClient(
        client_key=CLIENT_KEY,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        authorize_url=AUTHORIZE_URL,
        api_base_url=API_BASE,
        session=session,
        on_call=call_records.append,
    )
