"""Login Kit: the consent page, the token endpoint and revoke (docs/tiktok.md §1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from tiktok_sandbox import links, rules
from tiktok_sandbox.errors import SandboxOAuthError
from tiktok_sandbox.models import Endpoint, SandboxCreator
from tiktok_sandbox.selectors import sandbox_creator_list
from tiktok_sandbox.services.defaults import (
    sandbox_ensure_defaults,
    sandbox_settings_get,
)
from tiktok_sandbox.services.lifecycle import (
    sandbox_creator_remove_authorization,
)
from tiktok_sandbox.services.tokens import (
    sandbox_authorization_code_issue,
    sandbox_token_client_credentials,
    sandbox_token_exchange_code,
    sandbox_token_refresh,
    sandbox_token_revoke,
)
from tiktok_sandbox.views.common import (
    Call,
    finish,
    oauth_endpoint,
    require_sandbox,
)

# authorization.removed reason 5: the developer revoked access (docs/tiktok.md §9).
REASON_DEVELOPER_REVOKED = 5


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    redirect_uri: str
    state: str
    scopes: tuple[str, ...]
    code_challenge: str


def parse_consent_request(
    params: Mapping[str, str], *, require_pkce: bool
) -> tuple[ConsentRequest | None, list[str]]:
    """Check the authorize query as TikTok does; returns the request or the
    names of the parameters to correct (TikTok's page says "correct the
    following: …" and does not redirect)."""
    problems = []
    if params.get("client_key", "") != settings.TIKTOK_CLIENT_KEY:
        problems.append("client_key")
    if params.get("redirect_uri", "") != settings.TIKTOK_REDIRECT_URI:
        problems.append("redirect_uri")
    if params.get("response_type", "") != "code":
        problems.append("response_type")
    scopes = tuple(
        dict.fromkeys(
            name.strip() for name in params.get("scope", "").split(",") if name.strip()
        )
    )
    if not scopes or any(name not in rules.KNOWN_SCOPES for name in scopes):
        problems.append("scope")
    if not params.get("state", ""):
        problems.append("state")
    challenge = params.get("code_challenge", "")
    method = params.get("code_challenge_method", "")
    if (challenge and method != "S256") or (method and method != "S256"):
        problems.append("code_challenge_method")
    if (method and not challenge) or (require_pkce and not challenge):
        problems.append("code_challenge")
    if problems:
        return None, problems
    return (
        ConsentRequest(
            redirect_uri=params["redirect_uri"],
            state=params["state"],
            scopes=scopes,
            code_challenge=challenge,
        ),
        [],
    )


@require_sandbox
def authorize(request: HttpRequest) -> HttpResponse:
    """GET: the consent page. POST (a CSRF-protected form): approve or deny,
    then redirect to the app's redirect_uri."""
    call = Call.start(Endpoint.AUTHORIZE)
    sandbox_ensure_defaults()
    consent, problems = parse_consent_request(
        request.GET, require_pkce=sandbox_settings_get().require_pkce
    )
    if consent is None:
        call.http_status, call.error_code = 400, "invalid_request"
        page = render(
            request,
            "tiktok_sandbox/authorize_error.html",
            {"problems": problems},
            status=400,
        )
        return finish(request, call, page)
    if request.method == "POST":
        response = _decide(request, call, consent)
    else:
        response = _consent_page(request, consent, error="")
    call.http_status = call.http_status or response.status_code
    return finish(request, call, response)


def _consent_page(
    request: HttpRequest, consent: ConsentRequest, *, error: str, status: int = 200
) -> HttpResponse:
    creators = [
        {"creator": creator, "avatar_url": links.avatar_url(creator, size=100)}
        for creator in sandbox_creator_list()
    ]
    scopes = [
        {
            "name": name,
            "description": rules.SCOPE_DESCRIPTIONS[name],
            "is_required": name in rules.ALWAYS_GRANTED_SCOPES,
        }
        for name in consent.scopes
    ]
    context: dict[str, Any] = {
        "creators": creators,
        "scopes": scopes,
        "error": error,
        "redirect_host": consent.redirect_uri.split("/")[2],
    }
    return render(request, "tiktok_sandbox/authorize.html", context, status=status)


def _decide(request: HttpRequest, call: Call, consent: ConsentRequest) -> HttpResponse:
    if request.POST.get("decision") == "deny":
        call.error_code = "access_denied"
        return _redirect(
            consent,
            {
                "error": "access_denied",
                "error_description": "The user denied the authorization request.",
                "state": consent.state,
            },
        )
    creator = SandboxCreator.objects.filter(open_id=request.POST.get("creator")).first()
    if creator is None:
        call.error_code = "invalid_request"
        return _consent_page(
            request, consent, error="Pick the account to authorize.", status=400
        )
    call.creator = creator
    ticked = set(request.POST.getlist("scopes")) | rules.ALWAYS_GRANTED_SCOPES
    granted = [name for name in consent.scopes if name in ticked]
    for name in sorted(rules.ALWAYS_GRANTED_SCOPES - set(granted)):
        granted.insert(0, name)
    code = sandbox_authorization_code_issue(
        creator=creator,
        scopes=granted,
        redirect_uri=consent.redirect_uri,
        code_challenge=consent.code_challenge,
    )
    return _redirect(
        consent, {"code": code, "scopes": ",".join(granted), "state": consent.state}
    )


def _redirect(consent: ConsentRequest, query: dict[str, str]) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{consent.redirect_uri}?{urlencode(query)}")


@oauth_endpoint(Endpoint.OAUTH_TOKEN)
def token(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/oauth/token/: authorization_code, refresh_token or
    client_credentials."""
    form = request.POST
    client_key = form.get("client_key", "")
    client_secret = form.get("client_secret", "")
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        issued = sandbox_token_exchange_code(
            client_key=client_key,
            client_secret=client_secret,
            code=form.get("code", ""),
            redirect_uri=form.get("redirect_uri", ""),
            code_verifier=form.get("code_verifier", ""),
        )
    elif grant_type == "refresh_token":
        issued = sandbox_token_refresh(
            client_key=client_key,
            client_secret=client_secret,
            refresh_token=form.get("refresh_token", ""),
        )
    elif grant_type == "client_credentials":
        return sandbox_token_client_credentials(
            client_key=client_key, client_secret=client_secret
        )
    else:
        raise SandboxOAuthError(
            "unsupported_grant_type", f"grant_type {grant_type!r} is not supported."
        )
    call.creator = SandboxCreator.objects.filter(open_id=issued.open_id).first()
    return issued.as_json()


@oauth_endpoint(Endpoint.OAUTH_REVOKE)
def revoke(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/oauth/revoke/: the app gives up the user's access. Answers {}."""
    form = request.POST
    creator = sandbox_token_revoke(
        client_key=form.get("client_key", ""),
        client_secret=form.get("client_secret", ""),
        token=form.get("token", ""),
    )
    if creator is not None:
        call.creator = creator
        sandbox_creator_remove_authorization(
            creator=creator, reason=REASON_DEVELOPER_REVOKED
        )
    return {}
