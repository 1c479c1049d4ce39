"""Login Kit in the sandbox: consent page, code exchange, refresh, revoke."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.tiktok_sandbox.server import (
    ALL_SCOPES,
    SandboxApi,
)
from tiktok_sandbox.models import (
    SandboxAuthorizationCode,
    SandboxCreator,
    SandboxToken,
    SandboxWebhookDelivery,
)
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_settings_update,
    sandbox_tokens_issue,
)

AUTHORIZE = "/tiktok-sandbox/v2/auth/authorize/"
VERIFIER = "v" * 20 + "-._~" + "A1" * 12
CHALLENGE = hashlib.sha256(VERIFIER.encode()).hexdigest()


def _query(**overrides: str) -> str:
    params = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "scope": "user.info.basic,video.publish,video.list",
        "redirect_uri": settings.TIKTOK_REDIRECT_URI,
        "state": "state-123",
        "response_type": "code",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **overrides,
    }
    return urlencode({key: value for key, value in params.items() if value != ""})


def _approve(
    client: Client, *, creator: SandboxCreator, scopes: list[str], **overrides: str
) -> dict[str, list[str]]:
    response = client.post(
        f"{AUTHORIZE}?{_query(**overrides)}",
        {"creator": creator.open_id, "scopes": scopes, "decision": "approve"},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(settings.TIKTOK_REDIRECT_URI + "?")
    return parse_qs(urlsplit(location).query)


def _exchange(sandbox: SandboxApi, code: str, **overrides: str) -> Any:
    data = {
        "client_key": settings.TIKTOK_CLIENT_KEY,
        "client_secret": settings.TIKTOK_CLIENT_SECRET,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": settings.TIKTOK_REDIRECT_URI,
        "code_verifier": VERIFIER,
        **overrides,
    }
    return sandbox.form("/v2/oauth/token/", data)


def _refresh(sandbox: SandboxApi, refresh_token: str) -> Any:
    return sandbox.form(
        "/v2/oauth/token/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


def test_consent_page_lists_creators_and_requested_scopes(
    client: Client, public_creator: SandboxCreator
) -> None:
    # when
    response = client.get(f"{AUTHORIZE}?{_query()}")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "@sandbox.public" in page
    assert "@sandbox.private" in page
    assert 'value="video.publish"' in page
    assert 'value="video.upload"' not in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"client_key": "someone-else"}, "client_key"),
        ({"redirect_uri": "https://evil.example/callback/"}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": "video.publish,video.delete"}, "scope"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"state": ""}, "state"),
    ],
)
def test_consent_page_refuses_bad_requests_without_redirecting(
    client: Client, sandbox: SandboxApi, override: dict[str, str], problem: str
) -> None:
    # when
    response = client.get(f"{AUTHORIZE}?{_query(**override)}")
    # then
    assert response.status_code == 400
    assert "Location" not in response
    assert problem in response.content.decode()


def test_consent_page_requires_pkce_when_configured(
    client: Client, sandbox: SandboxApi
) -> None:
    # given
    sandbox_settings_update(require_pkce=True)
    # when
    response = client.get(
        f"{AUTHORIZE}?{_query(code_challenge='', code_challenge_method='')}"
    )
    # then
    assert response.status_code == 400
    assert "code_challenge" in response.content.decode()


def test_consent_form_is_csrf_protected(public_creator: SandboxCreator) -> None:
    # given
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.post(
        f"{AUTHORIZE}?{_query()}",
        {"creator": public_creator.open_id, "decision": "approve"},
    )
    # then
    assert response.status_code == 403
    assert not SandboxAuthorizationCode.objects.exists()


def test_deny_redirects_with_access_denied_and_state(
    client: Client, sandbox: SandboxApi
) -> None:
    # when
    response = client.post(f"{AUTHORIZE}?{_query()}", {"decision": "deny"})
    # then
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response.status_code == 302
    assert query["error"] == ["access_denied"]
    assert query["error_description"]
    assert query["state"] == ["state-123"]
    assert "code" not in query


def test_approve_grants_only_ticked_scopes_plus_basic(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # when: video.list is left unticked
    query = _approve(client, creator=public_creator, scopes=["video.publish"])
    # then
    assert query["scopes"] == ["user.info.basic,video.publish"]
    assert query["state"] == ["state-123"]
    code = query["code"][0]
    assert "*" in code
    assert "!" in code


def test_code_exchange_returns_tiktoks_flat_token_response(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=["video.publish"])["code"][0]
    # when
    response = _exchange(sandbox, code)
    # then
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "access_token",
        "expires_in",
        "open_id",
        "refresh_expires_in",
        "refresh_token",
        "scope",
        "token_type",
    }
    assert body["access_token"].startswith("act.")
    assert body["refresh_token"].startswith("rft.")
    assert body["expires_in"] == 7200
    assert body["refresh_expires_in"] == 15552000
    assert body["open_id"] == public_creator.open_id
    assert body["scope"] == "user.info.basic,video.publish"
    assert body["token_type"] == "Bearer"
    stored = SandboxToken.objects.values_list("token_hash", flat=True)
    assert body["access_token"] not in stored
    assert hashlib.sha256(body["access_token"].encode()).hexdigest() in stored


def test_code_is_single_use(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=[])["code"][0]
    assert _exchange(sandbox, code).status_code == 200
    # when
    response = _exchange(sandbox, code)
    # then
    body = response.json()
    assert response.status_code == 400
    assert body["error"] == "invalid_grant"
    assert body["log_id"]
    assert set(body) == {"error", "error_description", "log_id"}


def test_code_expires_after_ten_minutes(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=[])["code"][0]
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = _exchange(sandbox, code)
    # then
    assert response.json()["error"] == "invalid_grant"


def test_wrong_pkce_verifier_is_refused(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=[])["code"][0]
    base64url_style = "x" * 43
    # when
    response = _exchange(sandbox, code, code_verifier=base64url_style)
    # then
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "Code verifier" in response.json()["error_description"]


def test_missing_pkce_verifier_is_refused(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=[])["code"][0]
    # when
    response = _exchange(sandbox, code, code_verifier="")
    # then
    assert response.json()["error"] == "invalid_request"


def test_code_without_pkce_needs_no_verifier(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(
        client,
        creator=public_creator,
        scopes=[],
        code_challenge="",
        code_challenge_method="",
    )["code"][0]
    # when
    response = _exchange(sandbox, code, code_verifier="")
    # then
    assert response.status_code == 200


def test_redirect_uri_must_match_the_authorize_request(
    client: Client, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    code = _approve(client, creator=public_creator, scopes=[])["code"][0]
    # when
    response = _exchange(sandbox, code, redirect_uri="https://other.example/cb/")
    # then
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Redirect_uri is not matched with the uri when "
        "requesting code.",
        "log_id": response.json()["log_id"],
    }


def test_wrong_client_secret_is_invalid_client(sandbox: SandboxApi) -> None:
    # when
    response = _exchange(sandbox, "whatever", client_secret="wrong")
    # then
    assert response.json()["error"] == "invalid_client"


def test_token_endpoint_wants_form_encoding(sandbox: SandboxApi) -> None:
    # when
    response = sandbox.post("/v2/oauth/token/", body={"grant_type": "refresh_token"})
    # then
    assert response.json()["error"] == "invalid_request"


def test_unknown_grant_type_is_refused(sandbox: SandboxApi) -> None:
    # when
    response = sandbox.form(
        "/v2/oauth/token/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "grant_type": "password",
        },
    )
    # then
    assert response.json()["error"] == "unsupported_grant_type"


def test_oauth_error_status_is_configurable(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given: TikTok has been seen answering HTTP 200 with invalid_grant
    sandbox_settings_update(oauth_error_http_status=200)
    # when
    response = _refresh(sandbox, "rft.unknown")
    # then
    assert response.status_code == 200
    assert response.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_kills_the_old_refresh_token_at_once(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # when
    first = _refresh(sandbox, public_tokens.refresh_token)
    again = _refresh(sandbox, public_tokens.refresh_token)
    # then
    body = first.json()
    assert first.status_code == 200
    assert body["refresh_token"] != public_tokens.refresh_token
    assert body["access_token"] != public_tokens.access_token
    assert body["scope"] == ",".join(ALL_SCOPES)
    assert again.json()["error"] == "invalid_grant"
    assert _refresh(sandbox, body["refresh_token"]).status_code == 200


def test_refresh_token_expires(
    sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given
    sandbox_settings_update(refresh_token_ttl=60)
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=ALL_SCOPES)
    # when
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = _refresh(sandbox, tokens.refresh_token)
    # then
    assert response.json()["error"] == "invalid_grant"


def test_revoke_kills_every_token_and_tells_the_webhook(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    sandbox_settings_update(webhooks_enabled=True)
    # when
    response = sandbox.form(
        "/v2/oauth/revoke/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "token": public_tokens.access_token,
        },
    )
    # then
    assert response.status_code == 200
    assert response.json() == {}
    user = sandbox.get(
        "/v2/user/info/?fields=open_id", token=public_tokens.access_token
    )
    assert user.status_code == 401
    assert user.json()["error"]["code"] == "access_token_invalid"
    assert _refresh(sandbox, public_tokens.refresh_token).json()["error"] == (
        "invalid_grant"
    )
    event = SandboxWebhookDelivery.objects.get(event="authorization.removed")
    assert '\\"reason\\":5' in event.body


def test_client_credentials_token_is_no_user_token(sandbox: SandboxApi) -> None:
    # given
    response = sandbox.form(
        "/v2/oauth/token/",
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
    )
    token = response.json()["access_token"]
    # when
    user = sandbox.get("/v2/user/info/?fields=open_id", token=token)
    # then
    assert token.startswith("clt.")
    assert response.json()["expires_in"] == 7200
    assert user.status_code == 401
