"""TikTok Login Kit (OAuth v2): authorize URL, token exchange, refresh and revoke."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

import requests

from .errors import error_from_code, parse_or_malformed
from .facts import Endpoint
from .http import (
    DEFAULT_CONNECT_TIMEOUT,
    CallRecord,
    CallRecorder,
    Observed,
    Timeout,
    json_object,
    parse_retry_after,
    send,
)
from .oauth_types import CallbackParams, PkcePair, TokenGrant, parse_scopes

T = TypeVar("T")

# The default when the caller gives none; the gateway passes its settings.
OAUTH_READ_TIMEOUT: Final = 10.0
PKCE_VERIFIER_LENGTH: Final = 64
_PKCE_ALPHABET: Final = string.ascii_letters + string.digits + "-._~"


class TikTokOAuthClient:
    """Login Kit for Web. Every token request is form-encoded and parsed whatever
    its HTTP status, because TikTok may answer HTTP 200 with an OAuth error."""

    def __init__(
        self,
        *,
        client_key: str,
        client_secret: str,
        redirect_uri: str,
        authorize_url: str,
        api_base_url: str,
        session: requests.Session,
        on_call: Callable[[CallRecord], None] | None = None,
        timeout: Timeout = (DEFAULT_CONNECT_TIMEOUT, OAUTH_READ_TIMEOUT),
    ) -> None:
        self._client_key = client_key
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._authorize_url = authorize_url
        self._api_base_url = api_base_url.rstrip("/")
        self._session = session
        self._recorder = CallRecorder(on_call)
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"TikTokOAuthClient(client_key={self._client_key!r})"

    @staticmethod
    def new_pkce_pair() -> PkcePair:
        """A fresh verifier and its challenge: TikTok wants the lowercase hex
        SHA-256 of the verifier, not RFC 7636's base64url."""
        verifier = "".join(
            secrets.choice(_PKCE_ALPHABET) for _ in range(PKCE_VERIFIER_LENGTH)
        )
        return PkcePair(verifier=verifier, challenge=pkce_challenge(verifier))

    def authorization_url(
        self, *, state: str, scopes: Iterable[str], code_challenge: str
    ) -> str:
        """The consent page URL to redirect the browser to. Raises ValueError for
        an empty state, challenge or scope list, or a scope containing a comma."""
        scope_list = list(dict.fromkeys(scope.strip() for scope in scopes))
        if not scope_list or any(not scope or "," in scope for scope in scope_list):
            raise ValueError("scopes must be one or more names without commas.")
        if not state or not code_challenge:
            raise ValueError("state and code_challenge are required.")
        query = urlencode(
            {
                "client_key": self._client_key,
                "scope": ",".join(scope_list),
                "redirect_uri": self._redirect_uri,
                "state": state,
                "response_type": "code",
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            },
            safe=",",
        )
        return f"{self._authorize_url}?{query}"

    @staticmethod
    def parse_callback(query: Mapping[str, str]) -> CallbackParams:
        """Read the redirect's already-decoded query (e.g. Django's request.GET).

        Never raises: call ``raise_for_error()`` on the result before exchanging.
        """
        granted = query.get("scopes") or query.get("scope")
        return CallbackParams(
            code=query.get("code", ""),
            state=query.get("state", ""),
            scopes=parse_scopes(granted),
            error=query.get("error", ""),
            error_description=query.get("error_description", ""),
        )

    def exchange_code(self, *, code: str, code_verifier: str) -> TokenGrant:
        """Trade an authorization code for tokens. Raises TikTokReauthError
        (invalid_grant: the code is bad, used or expired), TikTokAmbiguousError
        (answer lost: the single-use code may be spent) and other TikTokErrors."""
        return self._token_request(
            Endpoint.OAUTH_TOKEN_EXCHANGE,
            {
                "client_key": self._client_key,
                "client_secret": self._client_secret,
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": self._redirect_uri,
                "code_verifier": code_verifier,
            },
        )

    def refresh(self, *, refresh_token: str) -> TokenGrant:
        """Get new tokens; store the returned refresh_token, TikTok rotates it.
        Raises TikTokReauthError (invalid_grant), TikTokAmbiguousError (answer
        lost: the old refresh token may already be dead) and other TikTokErrors."""
        return self._token_request(
            Endpoint.OAUTH_TOKEN_REFRESH,
            {
                "client_key": self._client_key,
                "client_secret": self._client_secret,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
        )

    def revoke(self, *, access_token: str) -> None:
        """Revoke the user's authorization. Revoking twice is harmless, so a lost
        answer raises TikTokTransientError; refusals raise other TikTokErrors."""
        self._post_form(
            Endpoint.OAUTH_REVOKE,
            {
                "client_key": self._client_key,
                "client_secret": self._client_secret,
                "token": access_token,
            },
            parse=lambda body: None,
            outcome_unknown_if_lost=False,
        )

    def _token_request(self, endpoint: Endpoint, form: dict[str, str]) -> TokenGrant:
        return self._post_form(
            endpoint,
            form,
            parse=TokenGrant.from_api,
            outcome_unknown_if_lost=True,
        )

    def _post_form(
        self,
        endpoint: Endpoint,
        form: dict[str, str],
        *,
        parse: Callable[[Mapping[str, Any]], T],
        outcome_unknown_if_lost: bool,
    ) -> T:
        missing = sorted(name for name, value in form.items() if not value)
        if missing:
            raise ValueError(f"{', '.join(missing)} must not be empty.")

        def call() -> Observed[T]:
            response = send(
                self._session,
                "POST",
                self._api_base_url + endpoint.path,
                endpoint=endpoint,
                timeout=self._timeout,
                outcome_unknown_if_lost=outcome_unknown_if_lost,
                data=form,
                headers={"Cache-Control": "no-cache"},
            )
            body = _read_oauth_body(
                response, endpoint=endpoint, outcome_unknown=outcome_unknown_if_lost
            )
            log_id = str(body.get("log_id") or "")
            value = parse_or_malformed(
                parse,
                body,
                endpoint=endpoint,
                http_status=response.status_code,
                log_id=log_id,
                outcome_unknown=outcome_unknown_if_lost,
            )
            return Observed(value, response.status_code, "ok", log_id)

        return self._recorder.observe(endpoint=endpoint, method="POST", call=call)


def pkce_challenge(verifier: str) -> str:
    """TikTok's S256 challenge: the lowercase hex SHA-256 of the verifier."""
    return hashlib.sha256(verifier.encode("ascii")).hexdigest()


def _read_oauth_body(
    response: requests.Response, *, endpoint: str, outcome_unknown: bool
) -> dict[str, Any]:
    """The flat OAuth body, or the mapped error whatever the HTTP status.

    A resource-style ``{"error": {"code": ...}}`` is accepted as well, in case a
    gateway answers in that shape.
    """
    body = json_object(response) or {}
    error = body.get("error")
    if isinstance(error, dict):
        code = str(error.get("code") or "")
        code = "" if code == "ok" else code
        description = str(error.get("message") or "")
        log_id = str(error.get("log_id") or body.get("log_id") or "")
    else:
        code = str(error or "")
        description = str(body.get("error_description") or "")
        log_id = str(body.get("log_id") or "")
    if code or not 200 <= response.status_code < 300:
        raise error_from_code(
            endpoint=endpoint,
            http_status=response.status_code,
            code=code,
            message=description,
            log_id=log_id,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            outcome_unknown_on_gateway_timeout=outcome_unknown,
        )
    return body
