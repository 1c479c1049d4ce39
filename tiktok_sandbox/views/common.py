"""What every sandbox endpoint shares: the sandbox-mode gate, TikTok's
envelopes and log ids, the fault plan, the journal and connection drops."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Final, ParamSpec

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from tiktok_sandbox.errors import SandboxApiError, SandboxOAuthError
from tiktok_sandbox.models import (
    SandboxCreator,
    SandboxFault,
    SandboxToken,
)
from tiktok_sandbox.services.defaults import log_id_at, sandbox_settings_get
from tiktok_sandbox.services.faults import sandbox_fault_take
from tiktok_sandbox.services.journal import (
    sandbox_call_record,
    sandbox_rate_limit_check,
)
from tiktok_sandbox.services.tokens import (
    sandbox_access_token_authenticate,
)

JSON_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
# A test server that can hand its socket to the app puts it under this key
# (gunicorn uses "gunicorn.socket").
SOCKET_ENVIRON_KEY: Final = "postdeck.socket"

View = Callable[[HttpRequest], HttpResponse]
P = ParamSpec("P")


@dataclass
class Call:
    """One request as the journal records it; views fill in what they learn."""

    endpoint: str
    log_id: str
    token: SandboxToken | None = None
    creator: SandboxCreator | None = None
    publish_id: str = ""
    chunk_number: int | None = None
    byte_count: int | None = None
    fault: SandboxFault | None = None
    http_status: int | None = None
    error_code: str = ""

    @classmethod
    def start(cls, endpoint: str) -> Call:
        return cls(endpoint=endpoint, log_id=log_id_at(timezone.now()))


def require_sandbox(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """404 unless sandbox mode is on at request time, whatever is mounted."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not settings.TIKTOK_SANDBOX:
            raise Http404("The TikTok sandbox is off.")
        return view(*args, **kwargs)

    return wrapper


# --- responses ------------------------------------------------------------------


def envelope(
    call: Call,
    *,
    data: dict[str, Any] | None,
    http_status: int = 200,
    code: str = "ok",
    message: str = "",
) -> JsonResponse:
    """TikTok's resource envelope (docs/tiktok.md §0); ``data=None`` leaves the
    key out, as cancel's answer does."""
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = data
    body["error"] = {"code": code, "message": message, "log_id": call.log_id}
    call.http_status, call.error_code = http_status, code
    return _json(call, body, http_status)


def api_error(call: Call, error: SandboxApiError) -> JsonResponse:
    return envelope(
        call,
        data={},
        http_status=error.http_status,
        code=error.code,
        message=error.message,
    )


def oauth_error(
    call: Call, error: SandboxOAuthError, *, http_status: int
) -> JsonResponse:
    """OAuth's flat error shape (docs/tiktok.md §1.9)."""
    call.http_status, call.error_code = http_status, error.error
    body = {
        "error": error.error,
        "error_description": error.description,
        "log_id": call.log_id,
    }
    return _json(call, body, http_status)


def oauth_ok(call: Call, body: dict[str, Any]) -> JsonResponse:
    call.http_status = 200
    return _json(call, body, 200)


def _json(call: Call, body: dict[str, Any], http_status: int) -> JsonResponse:
    response = JsonResponse(
        body, status=http_status, json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = JSON_CONTENT_TYPE
    response["X-Tt-Logid"] = call.log_id
    return response


def method_not_allowed(call: Call, allowed: str) -> HttpResponse:
    call.http_status = 405
    response = HttpResponse(status=405)
    response["Allow"] = allowed
    return response


# --- journal, faults, drops -----------------------------------------------------


def finish(request: HttpRequest, call: Call, response: HttpResponse) -> HttpResponse:
    """Journal the call, then answer, or drop the connection if a fault says so."""
    dropping = (
        call.fault is not None
        and call.fault.action == SandboxFault.Action.DROP_AFTER_ACTING
    )
    _record(request, call, is_dropped=dropping)
    if dropping:
        return drop_connection(request, response)
    return response


def respond_after_acting(
    call: Call,
    response: HttpResponse,
    *,
    respond: Callable[[int, str, str], HttpResponse],
) -> HttpResponse:
    """The endpoint has acted; answer the fault's error instead of its result
    when the fault says so (a 5xx that hides a success), else ``response``."""
    fault = call.fault
    if fault is None or fault.action != SandboxFault.Action.RESPOND_AFTER_ACTING:
        return response
    message = fault.error_message or "Injected by the sandbox fault plan."
    return respond(fault.http_status or 500, fault.error_code, message)


def _record(request: HttpRequest, call: Call, *, is_dropped: bool) -> None:
    sandbox_call_record(
        endpoint=call.endpoint,
        method=request.method or "",
        log_id=call.log_id,
        http_status=None if is_dropped else call.http_status,
        error_code=call.error_code,
        token=call.token,
        creator=call.creator,
        publish_id=call.publish_id,
        chunk_number=call.chunk_number,
        byte_count=call.byte_count,
        fault=call.fault,
        is_dropped=is_dropped,
    )


def apply_fault_before(
    request: HttpRequest,
    call: Call,
    *,
    respond: Callable[[int, str, str], HttpResponse],
) -> HttpResponse | None:
    """Act on the call's fault before the endpoint runs: answer an error, drop,
    or wait. Returns the final response, or None to go on."""
    fault = call.fault
    if fault is None:
        return None
    if fault.action == SandboxFault.Action.DELAY:
        time.sleep(fault.delay_seconds or 0)
        return None
    if fault.action == SandboxFault.Action.RESPOND:
        message = fault.error_message or "Injected by the sandbox fault plan."
        response = respond(fault.http_status or 500, fault.error_code, message)
        if fault.retry_after_seconds is not None:
            response["Retry-After"] = str(fault.retry_after_seconds)
        _record(request, call, is_dropped=False)
        return response
    if fault.action == SandboxFault.Action.DROP_BEFORE_ACTING:
        _record(request, call, is_dropped=True)
        # Never delivered; a 2xx keeps Django from logging a server error.
        return drop_connection(request, HttpResponse(status=204))
    return None


def drop_connection(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Close the client's connection without an answer.

    Under gunicorn or the tests' server the socket is shut down, so the client
    sees the connection close. Elsewhere the answer is held back longer than
    the client's read timeout, which the client experiences the same way.
    """
    connection = request.META.get("gunicorn.socket") or request.META.get(
        SOCKET_ENVIRON_KEY
    )
    if isinstance(connection, socket.socket):
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        return response
    time.sleep(sandbox_settings_get().hang_seconds)
    return response


# --- request bodies -------------------------------------------------------------


def json_body(
    request: HttpRequest, *, error: Callable[[str], SandboxApiError]
) -> dict[str, Any]:
    """The request's JSON object. Raises ``error(message)`` otherwise."""
    if request.content_type != "application/json":
        raise error("Content-Type must be application/json.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise error("The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise error("The body must be a JSON object.")
    return body


# --- decorators -----------------------------------------------------------------

ResourceView = Callable[[HttpRequest, Call], dict[str, Any] | None]


def resource_endpoint(
    endpoint: str, *, method: str, scopes_any: frozenset[str] | None
) -> Callable[[ResourceView], View]:
    """Wrap a resource-API view: sandbox gate, bearer token (401), fault plan,
    scope (401 scope_not_authorized), rate limit (429), envelope, journal.

    The view returns ``data`` (None for no data key) or raises SandboxApiError.
    """

    def decorator(view: ResourceView) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            call = Call.start(endpoint)
            if request.method != method:
                return finish(request, call, method_not_allowed(call, method))
            try:
                call.token = sandbox_access_token_authenticate(
                    authorization=request.headers.get("Authorization")
                )
                call.creator = call.token.creator
                call.fault = sandbox_fault_take(endpoint=endpoint, creator=call.creator)
                early = apply_fault_before(
                    request,
                    call,
                    respond=lambda status, code, message: envelope(
                        call, data={}, http_status=status, code=code, message=message
                    ),
                )
                if early is not None:
                    return early
                if scopes_any is not None and not scopes_any & set(call.token.scopes):
                    raise SandboxApiError(
                        401,
                        "scope_not_authorized",
                        "The user did not authorize the scope required for this "
                        f"endpoint ({' or '.join(sorted(scopes_any))}).",
                    )
                sandbox_rate_limit_check(token=call.token, endpoint=endpoint)
                response: HttpResponse = respond_after_acting(
                    call,
                    envelope(call, data=view(request, call)),
                    respond=lambda status, code, message: envelope(
                        call, data={}, http_status=status, code=code, message=message
                    ),
                )
            except SandboxApiError as exc:
                response = api_error(call, exc)
            return finish(request, call, response)

        return csrf_exempt(require_sandbox(wrapper))

    return decorator


OAuthView = Callable[[HttpRequest, Call], dict[str, Any]]


def oauth_endpoint(endpoint: str) -> Callable[[OAuthView], View]:
    """Wrap an OAuth endpoint: sandbox gate, form encoding, fault plan, flat
    errors, journal. The view returns the success body or raises
    SandboxOAuthError."""

    def decorator(view: OAuthView) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            call = Call.start(endpoint)
            if request.method != "POST":
                return finish(request, call, method_not_allowed(call, "POST"))
            error_status = sandbox_settings_get().oauth_error_http_status
            call.fault = sandbox_fault_take(endpoint=endpoint, creator=None)
            early = apply_fault_before(
                request,
                call,
                respond=lambda status, code, message: oauth_error(
                    call,
                    SandboxOAuthError(code or "server_error", message),
                    http_status=status,
                ),
            )
            if early is not None:
                return early
            try:
                if request.content_type != "application/x-www-form-urlencoded":
                    raise SandboxOAuthError(
                        "invalid_request",
                        "Content-Type must be application/x-www-form-urlencoded.",
                    )
                response: HttpResponse = respond_after_acting(
                    call,
                    oauth_ok(call, view(request, call)),
                    respond=lambda status, code, message: oauth_error(
                        call,
                        SandboxOAuthError(code or "server_error", message),
                        http_status=status,
                    ),
                )
            except SandboxOAuthError as exc:
                response = oauth_error(call, exc, http_status=error_status)
            return finish(request, call, response)

        return csrf_exempt(require_sandbox(wrapper))

    return decorator
