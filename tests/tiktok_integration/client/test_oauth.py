"""Login Kit: PKCE, the authorize URL, the callback and the token endpoints."""

from __future__ import annotations

import hashlib
import re
import string
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from tiktok_integration.client import (
    CallRecord,
    TikTokAmbiguousError,
    TikTokOAuthClient,
    TikTokReauthError,
    TikTokRejectedError,
    TikTokTransientError,
)

from .support import (
    ACCESS_TOKEN,
    API_BASE,
    AUTHORIZE_URL,
    CLIENT_KEY,
    CLIENT_SECRET,
    LOG_ID,
    REDIRECT_URI,
    REFRESH_TOKEN,
    capture_everything,
    sent_timeout,
)

TOKEN_URL = f"{API_BASE}/v2/oauth/token/"
REVOKE_URL = f"{API_BASE}/v2/oauth/revoke/"
CODE = "SbEZMGlsLf3-pRNZ8eExBELY*0!6410"
NEW_ACCESS = "act.rotated-access-1a2b"
NEW_REFRESH = "rft.rotated-refresh-3c4d"
TOKEN_RESPONSE = {
    "access_token": NEW_ACCESS,
    "expires_in": 7200,
    "open_id": "afd97af1-b87b-48b9-ac98-410aghda5344",
    "refresh_expires_in": 15552000,
    "refresh_token": NEW_REFRESH,
    "scope": "user.info.basic,video.publish",
    "token_type": "Bearer",
}
VERIFIER_CHARACTERS = set(string.ascii_letters + string.digits + "-._~")


def _form(mock: responses.RequestsMock, index: int = 0) -> dict[str, str]:
    body = mock.calls[index].request.body
    assert isinstance(body, str)
    return {key: values[0] for key, values in parse_qs(body).items()}


def test_pkce_challenge_is_lowercase_hex_sha256_of_the_verifier() -> None:
    # Given a new PKCE pair,
    pair = TikTokOAuthClient.new_pkce_pair()

    # then the verifier is 64 allowed characters and the challenge is TikTok's hex
    # form (not RFC 7636 base64url).
    assert len(pair.verifier) == 64
    assert set(pair.verifier) <= VERIFIER_CHARACTERS
    assert pair.challenge == hashlib.sha256(pair.verifier.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", pair.challenge)
    assert pair.verifier not in repr(pair)


def test_pkce_pairs_are_fresh_each_time() -> None:
    verifiers = {TikTokOAuthClient.new_pkce_pair().verifier for _ in range(50)}
    assert len(verifiers) == 50


def test_authorization_url_carries_every_required_parameter(
    oauth_client: TikTokOAuthClient,
) -> None:
    # When the consent URL is built,
    url = oauth_client.authorization_url(
        state="state-123",
        scopes=["user.info.basic", "video.publish", "user.info.basic"],
        code_challenge="ab" * 32,
    )

    # then it points at the v2 page with client_key, a comma-joined scope and S256.
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
    assert parse_qs(parts.query) == {
        "client_key": [CLIENT_KEY],
        "scope": ["user.info.basic,video.publish"],
        "redirect_uri": [REDIRECT_URI],
        "state": ["state-123"],
        "response_type": ["code"],
        "code_challenge": ["ab" * 32],
        "code_challenge_method": ["S256"],
    }
    assert "scope=user.info.basic,video.publish" in parts.query
    assert "client_id" not in parts.query


@pytest.mark.parametrize(
    ("state", "scopes", "challenge", "reason"),
    [
        ("", ["video.publish"], "c", "state and code_challenge are required"),
        ("s", ["video.publish"], "", "state and code_challenge are required"),
        ("s", [], "c", "scopes must be"),
        ("s", ["a,b"], "c", "scopes must be"),
    ],
)
def test_authorization_url_refuses_missing_pieces(
    oauth_client: TikTokOAuthClient,
    state: str,
    scopes: list[str],
    challenge: str,
    reason: str,
) -> None:
    with pytest.raises(ValueError, match=reason):
        oauth_client.authorization_url(
            state=state, scopes=scopes, code_challenge=challenge
        )


def test_callback_reads_the_plural_scopes() -> None:
    # Given TikTok's redirect, where granted scopes come as plural "scopes",
    params = TikTokOAuthClient.parse_callback(
        {"code": CODE, "scopes": "user.info.basic,video.upload", "state": "s-1"}
    )

    # then the code is kept as given (already decoded) and scopes become a set.
    assert params.code == CODE
    assert params.state == "s-1"
    assert params.scopes == frozenset({"user.info.basic", "video.upload"})
    params.raise_for_error()
    assert CODE not in repr(params)


def test_callback_error_raises_the_mapped_error() -> None:
    params = TikTokOAuthClient.parse_callback(
        {"error": "access_denied", "error_description": "User cancelled", "state": "s"}
    )
    with pytest.raises(TikTokRejectedError) as caught:
        params.raise_for_error()
    assert caught.value.code == "access_denied"
    assert "declined" in caught.value.staff_message


def test_callback_without_code_is_refused() -> None:
    with pytest.raises(TikTokRejectedError) as caught:
        TikTokOAuthClient.parse_callback({"state": "s"}).raise_for_error()
    assert caught.value.code == "invalid_callback"


def test_exchange_code_posts_the_form_and_parses_the_flat_grant(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given the token endpoint grants tokens,
    mocked_responses.post(TOKEN_URL, json={**TOKEN_RESPONSE, "log_id": LOG_ID})

    # when the code is exchanged with its verifier,
    grant = oauth_client.exchange_code(code=CODE, code_verifier="v" * 64)

    # then the form has every documented field, form-encoded,
    assert _form(mocked_responses) == {
        "client_key": CLIENT_KEY,
        "client_secret": CLIENT_SECRET,
        "code": CODE,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "v" * 64,
    }
    headers = mocked_responses.calls[0].request.headers
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Cache-Control"] == "no-cache"
    assert "Authorization" not in headers
    # and the grant holds the lifetimes TikTok sent and the granted scope set.
    assert grant.access_token == NEW_ACCESS
    assert grant.refresh_token == NEW_REFRESH
    assert (grant.expires_in, grant.refresh_expires_in) == (7200, 15552000)
    assert grant.scopes == frozenset({"user.info.basic", "video.publish"})
    assert grant.open_id == TOKEN_RESPONSE["open_id"]
    assert NEW_ACCESS not in repr(grant)
    assert NEW_REFRESH not in str(grant)


def test_refresh_posts_the_refresh_grant(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(TOKEN_URL, json=TOKEN_RESPONSE)
    grant = oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    assert _form(mocked_responses) == {
        "client_key": CLIENT_KEY,
        "client_secret": CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
    }
    assert grant.refresh_token == NEW_REFRESH


def test_refresh_answered_200_with_invalid_grant_needs_reauth(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a sandbox-style HTTP 200 carrying invalid_grant,
    mocked_responses.post(
        TOKEN_URL,
        json={
            "error": "invalid_grant",
            "error_description": "Refresh token is invalid or expired.",
            "log_id": LOG_ID,
        },
    )

    # then the status code does not hide the error.
    with pytest.raises(TikTokReauthError) as caught:
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    assert caught.value.http_status == 200
    assert caught.value.log_id == LOG_ID


@pytest.mark.parametrize(
    "lost_answer",
    [requests.exceptions.ReadTimeout(), requests.exceptions.ConnectionError("reset")],
    ids=["read-timeout", "reset"],
)
def test_lost_token_answers_are_ambiguous(
    oauth_client: TikTokOAuthClient,
    mocked_responses: responses.RequestsMock,
    lost_answer: Exception,
) -> None:
    # Given the token endpoint never answers (it may have rotated the token or
    # spent the code),
    mocked_responses.post(TOKEN_URL, body=lost_answer)

    # then neither the exchange nor the refresh can be called a clean failure.
    with pytest.raises(TikTokAmbiguousError):
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    with pytest.raises(TikTokAmbiguousError):
        oauth_client.exchange_code(code=CODE, code_verifier="v" * 64)


def test_grant_without_a_refresh_token_is_ambiguous(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    # Given a 200 whose body lacks the new refresh token,
    body = {
        key: value for key, value in TOKEN_RESPONSE.items() if key != "refresh_token"
    }
    mocked_responses.post(TOKEN_URL, json=body)

    # then the old token may already be rotated away: the outcome is unknown.
    with pytest.raises(TikTokAmbiguousError) as caught:
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    assert caught.value.code == "malformed_response"


@pytest.mark.parametrize("body", ["", "{}"], ids=["empty", "empty-object"])
def test_revoke_accepts_an_empty_answer(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock, body: str
) -> None:
    mocked_responses.post(REVOKE_URL, body=body)
    oauth_client.revoke(access_token=ACCESS_TOKEN)
    assert _form(mocked_responses) == {
        "client_key": CLIENT_KEY,
        "client_secret": CLIENT_SECRET,
        "token": ACCESS_TOKEN,
    }


def test_revoke_timeout_is_transient(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(REVOKE_URL, body=requests.exceptions.ReadTimeout())
    with pytest.raises(TikTokTransientError):
        oauth_client.revoke(access_token=ACCESS_TOKEN)


def test_oauth_5xx_is_transient(
    oauth_client: TikTokOAuthClient, mocked_responses: responses.RequestsMock
) -> None:
    mocked_responses.post(TOKEN_URL, body="upstream error", status=502)
    with pytest.raises(TikTokTransientError):
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)


def test_token_requests_have_a_timeout_and_leave_no_secret_in_logs(
    oauth_client: TikTokOAuthClient,
    mocked_responses: responses.RequestsMock,
    call_records: list[CallRecord],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given debug logging everywhere, urllib3 included,
    capture_everything(caplog)
    mocked_responses.post(TOKEN_URL, json={**TOKEN_RESPONSE, "log_id": LOG_ID})
    mocked_responses.post(REVOKE_URL, json={})

    # when tokens are exchanged, refreshed and revoked, and a refresh fails,
    oauth_client.exchange_code(code=CODE, code_verifier="v" * 64)
    oauth_client.refresh(refresh_token=REFRESH_TOKEN)
    oauth_client.revoke(access_token=ACCESS_TOKEN)
    mocked_responses.replace(
        responses.POST,
        TOKEN_URL,
        json={"error": "invalid_grant", "error_description": f"bad {REFRESH_TOKEN}"},
        status=400,
    )
    with pytest.raises(TikTokReauthError) as caught:
        oauth_client.refresh(refresh_token=REFRESH_TOKEN)

    # then every call had a timeout, and no secret shows in logs, records or errors.
    assert all(sent_timeout(call) == (3.05, 10.0) for call in mocked_responses.calls)
    assert [record.endpoint for record in call_records] == [
        "oauth_token_exchange",
        "oauth_token_refresh",
        "oauth_revoke",
        "oauth_token_refresh",
    ]
    searchable = "\n".join(
        [
            caplog.text,
            repr(call_records),
            str(caught.value),
            repr(caught.value),
            repr(oauth_client),
        ]
    )
    for secret in (
        CLIENT_SECRET,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        NEW_ACCESS,
        NEW_REFRESH,
        CODE,
    ):
        assert secret not in searchable
