"""Login Kit: TikTokOAuthClient against the sandbox's consent page and token
endpoints (docs/tiktok.md §1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings

from tests.tiktok_integration.contract.support import consent
from tests.tiktok_sandbox.server import SandboxApi
from tiktok_integration.client import (
    TikTokAmbiguousError,
    TikTokClient,
    TikTokOAuthClient,
    TikTokReauthError,
    TikTokRejectedError,
    TikTokScopeError,
    TikTokTransientError,
    build_session,
)
from tiktok_sandbox import selectors
from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_fault_add,
    sandbox_settings_update,
)

REQUESTED = ("user.info.basic", "user.info.profile", "video.list", "video.publish")


def _connect(
    oauth: TikTokOAuthClient, creator: SandboxCreator, ticked: tuple[str, ...]
) -> tuple[dict[str, str], str]:
    pkce = oauth.new_pkce_pair()
    query = consent(
        oauth,
        creator=creator,
        requested=REQUESTED,
        ticked=ticked,
        state="state-42",
        code_challenge=pkce.challenge,
    )
    return query, pkce.verifier


def test_authorization_url_is_accepted_by_the_consent_page(
    oauth: TikTokOAuthClient, sandbox: SandboxApi
) -> None:
    # given
    pkce = oauth.new_pkce_pair()
    url = oauth.authorization_url(
        state="s1", scopes=REQUESTED, code_challenge=pkce.challenge
    )
    # when
    page = requests.get(url, timeout=10)
    # then: the page shows the requested scopes and does not ask for corrections
    assert page.status_code == 200
    assert url.startswith(settings.TIKTOK_AUTHORIZE_URL + "?")
    assert parse_qs(urlsplit(url).query)["code_challenge_method"] == ["S256"]
    for scope in REQUESTED[1:]:
        assert f'value="{scope}"' in page.text


def test_authorization_url_passes_the_strict_pkce_check(
    oauth: TikTokOAuthClient, sandbox: SandboxApi, public_creator: SandboxCreator
) -> None:
    # given: the sandbox refuses consent requests without a code_challenge
    sandbox_settings_update(require_pkce=True)
    # when
    query, _ = _connect(oauth, public_creator, REQUESTED)
    # then
    assert query["code"]


def test_consent_then_hex_pkce_exchange_grants_the_ticked_scopes(
    oauth: TikTokOAuthClient, public_creator: SandboxCreator
) -> None:
    # given: the user unticks video.list on the consent page
    query, verifier = _connect(
        oauth, public_creator, ("user.info.profile", "video.publish")
    )
    callback = TikTokOAuthClient.parse_callback(query)
    callback.raise_for_error()
    # when
    grant = oauth.exchange_code(code=callback.code, code_verifier=verifier)
    # then: the callback's plural "scopes" and the grant's "scope" agree
    assert callback.state == "state-42"
    assert callback.scopes == grant.scopes
    assert grant.scopes == {"user.info.basic", "user.info.profile", "video.publish"}
    assert grant.open_id == public_creator.open_id
    assert grant.access_token.startswith("act.")
    assert grant.refresh_token.startswith("rft.")
    assert (grant.expires_in, grant.refresh_expires_in) == (7200, 15552000)
    assert grant.token_type == "Bearer"


def test_granted_token_works_per_scope_and_missing_scopes_are_scope_errors(
    oauth: TikTokOAuthClient, api: TikTokClient, public_creator: SandboxCreator
) -> None:
    # given: only user.info.basic and video.publish are granted
    query, verifier = _connect(oauth, public_creator, ("video.publish",))
    grant = oauth.exchange_code(code=query["code"], code_verifier=verifier)
    token = grant.access_token
    # when
    info = api.user_info(access_token=token, fields=["open_id", "display_name"])
    # then
    assert info.open_id == public_creator.open_id
    assert api.creator_info(access_token=token).nickname == "Pat Public"
    with pytest.raises(TikTokScopeError) as missed:
        api.user_info(access_token=token, fields=["open_id", "username"])
    assert (missed.value.code, missed.value.http_status) == (
        "scope_permission_missed",
        400,
    )
    with pytest.raises(TikTokScopeError) as unauthorized:
        api.video_list(access_token=token, fields=["id"])
    assert (unauthorized.value.code, unauthorized.value.http_status) == (
        "scope_not_authorized",
        401,
    )


def test_denied_consent_maps_to_access_denied(
    oauth: TikTokOAuthClient, public_creator: SandboxCreator
) -> None:
    # when
    query = consent(
        oauth,
        creator=public_creator,
        requested=REQUESTED,
        ticked=(),
        state="s",
        code_challenge=oauth.new_pkce_pair().challenge,
        decision="deny",
    )
    callback = TikTokOAuthClient.parse_callback(query)
    # then
    with pytest.raises(TikTokRejectedError) as caught:
        callback.raise_for_error()
    assert caught.value.code == "access_denied"
    assert callback.state == "s"


def test_code_is_single_use_and_needs_the_matching_verifier(
    oauth: TikTokOAuthClient, public_creator: SandboxCreator
) -> None:
    # given
    query, verifier = _connect(oauth, public_creator, REQUESTED)
    other_query, _ = _connect(oauth, public_creator, REQUESTED)
    oauth.exchange_code(code=query["code"], code_verifier=verifier)
    # when / then: a spent code is invalid_grant, a wrong verifier invalid_request
    with pytest.raises(TikTokReauthError) as spent:
        oauth.exchange_code(code=query["code"], code_verifier=verifier)
    assert spent.value.code == "invalid_grant"
    with pytest.raises(TikTokRejectedError) as mismatch:
        oauth.exchange_code(code=other_query["code"], code_verifier=verifier)
    assert mismatch.value.code == "invalid_request"
    assert not isinstance(mismatch.value, TikTokReauthError)


@pytest.mark.parametrize("oauth_error_status", [400, 200])
def test_refresh_rotates_and_the_old_refresh_token_is_invalid_grant(
    oauth: TikTokOAuthClient,
    api: TikTokClient,
    public_tokens: IssuedTokens,
    oauth_error_status: int,
) -> None:
    # given: OAuth errors come with HTTP 400, or with 200 as seen at TikTok
    sandbox_settings_update(oauth_error_http_status=oauth_error_status)
    # when
    fresh = oauth.refresh(refresh_token=public_tokens.refresh_token)
    # then
    assert fresh.refresh_token != public_tokens.refresh_token
    assert fresh.access_token != public_tokens.access_token
    assert fresh.scopes == set(public_tokens.scopes)
    assert api.user_info(access_token=fresh.access_token, fields=["open_id"]).open_id
    with pytest.raises(TikTokReauthError) as caught:
        oauth.refresh(refresh_token=public_tokens.refresh_token)
    assert caught.value.code == "invalid_grant"
    assert caught.value.http_status == oauth_error_status
    assert oauth.refresh(refresh_token=fresh.refresh_token).open_id


def test_refresh_answer_lost_is_ambiguous_and_the_rotation_happened(
    oauth: TikTokOAuthClient, public_tokens: IssuedTokens
) -> None:
    # given: the sandbox rotates the token, then drops the connection
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when
    with pytest.raises(TikTokAmbiguousError) as caught:
        oauth.refresh(refresh_token=public_tokens.refresh_token)
    # then: the old refresh token is already dead at "TikTok"
    assert caught.value.http_status is None
    with pytest.raises(TikTokReauthError):
        oauth.refresh(refresh_token=public_tokens.refresh_token)


def test_revoke_kills_access_and_refresh_tokens(
    oauth: TikTokOAuthClient,
    api: TikTokClient,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
) -> None:
    # when
    oauth.revoke(access_token=public_tokens.access_token)
    # then
    with pytest.raises(TikTokReauthError) as caught:
        api.user_info(access_token=public_tokens.access_token, fields=["open_id"])
    assert (caught.value.code, caught.value.http_status) == (
        "access_token_invalid",
        401,
    )
    with pytest.raises(TikTokReauthError):
        oauth.refresh(refresh_token=public_tokens.refresh_token)
    (call,) = selectors.sandbox_call_list(endpoint=Endpoint.OAUTH_REVOKE)
    assert call.http_status == 200
    assert call.creator == public_creator


def test_wrong_client_secret_is_invalid_client(
    sandbox: SandboxApi, public_tokens: IssuedTokens
) -> None:
    # given
    with build_session(user_agent="contract") as session:
        client = TikTokOAuthClient(
            client_key=settings.TIKTOK_CLIENT_KEY,
            client_secret="not-the-secret",
            redirect_uri=settings.TIKTOK_REDIRECT_URI,
            authorize_url=settings.TIKTOK_AUTHORIZE_URL,
            api_base_url=settings.TIKTOK_API_BASE_URL,
            session=session,
        )
        # when / then
        with pytest.raises(TikTokRejectedError) as caught:
            client.refresh(refresh_token=public_tokens.refresh_token)
    assert caught.value.code == "invalid_client"
    assert not isinstance(caught.value, TikTokReauthError)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("server_error", TikTokTransientError),
        ("temporarily_unavailable", TikTokTransientError),
        ("invalid_scope", TikTokRejectedError),
        ("unauthorized_client", TikTokRejectedError),
        ("unsupported_grant_type", TikTokRejectedError),
        ("invalid_grant", TikTokReauthError),
    ],
)
def test_oauth_error_categories_map_to_their_classes(
    oauth: TikTokOAuthClient,
    public_tokens: IssuedTokens,
    code: str,
    expected: type[Exception],
) -> None:
    # given: §1.9's categories; server_error and temporarily_unavailable are
    # TikTok-side and temporary, invalid_grant needs a reconnect
    status = 503 if expected is TikTokTransientError else 400
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.RESPOND,
        http_status=status,
        error_code=code,
    )
    # when / then
    with pytest.raises(expected) as caught:
        oauth.refresh(refresh_token=public_tokens.refresh_token)
    assert caught.value.code == code
    assert type(caught.value) is expected
