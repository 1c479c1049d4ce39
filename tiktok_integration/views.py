"""Staff-only OAuth views and TikTok's webhook receiver."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial, wraps

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tiktok_integration.services.accounts import (
    ConnectError,
    oauth_connect_finish,
    oauth_connect_start,
    workspace_for_connect,
)
from tiktok_integration.services.webhooks import WebhookRejectedError, webhook_receive
from tiktok_integration.tasks import enqueue_webhook_event_apply
from workspaces.selectors import workspace_ids_for

logger = logging.getLogger(__name__)
WEBHOOK_MAX_BYTES = 1024 * 1024


@require_GET
@never_cache
@staff_member_required
def connect(request: HttpRequest) -> HttpResponse:
    """Start connecting a TikTok account to ``?workspace=<id>``."""
    workspace_ids = workspace_ids_for(request.user)
    try:
        workspace = workspace_for_connect(
            workspace_id=int(request.GET.get("workspace", "0")),
            workspace_ids=workspace_ids,
        )
    except (ConnectError, ValueError):
        messages.error(request, "Choose one of your workspaces to connect to.")
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_changelist")
        )
    url = oauth_connect_start(
        session=request.session,
        user_id=request.user.pk,  # type: ignore[arg-type]
        workspace_id=workspace.pk,
    )
    return HttpResponseRedirect(url)


def no_referrer(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Sends ``Referrer-Policy: no-referrer`` with every answer of ``view``.

    For views whose URL carries a secret (the OAuth ``code`` and ``state``):
    whatever page comes next, the browser must not send that URL as Referer.
    """

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        response = view(request)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


@no_referrer
@require_GET
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """TikTok redirects here; finish, then redirect at once so the code leaves
    the address bar and browser history.

    Someone not signed in as staff is sent to the login page with the accounts
    list as ``next``: never this URL, whose query holds the code and state.
    """
    user = request.user
    if not (user.is_active and user.is_staff):
        return redirect_to_login(
            reverse("admin:tiktok_integration_tiktokaccount_changelist"),
            login_url=reverse("admin:login"),
        )
    try:
        result = oauth_connect_finish(
            session=request.session,
            user_id=request.user.pk,  # type: ignore[arg-type]
            workspace_ids=workspace_ids_for(request.user),
            query=request.GET,
        )
    except ConnectError as error:
        messages.error(request, str(error))
        response = HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_changelist")
        )
        response.status_code = 303
        return response
    verb = "Connected" if result.created else "Reconnected"
    messages.success(request, f"{verb} {result.account} to {result.account.workspace}.")
    for warning in result.warnings:
        messages.warning(request, warning)
    response = HttpResponseRedirect(
        reverse(
            "admin:tiktok_integration_tiktokaccount_change", args=[result.account.pk]
        )
    )
    response.status_code = 303
    return response


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, answer 200 at once; the event is applied by a worker."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > WEBHOOK_MAX_BYTES:
        return HttpResponseBadRequest("Body too large.")
    raw_body = request.body
    try:
        event = webhook_receive(
            raw_body=raw_body,
            signature_header=request.headers.get("TikTok-Signature"),
        )
    except WebhookRejectedError as error:
        logger.warning("Refused a webhook: %s", error)
        return HttpResponse("Invalid signature or payload.", status=401)
    if event is not None:
        transaction.on_commit(partial(enqueue_webhook_event_apply, event_id=event.pk))
    return HttpResponse("ok")
