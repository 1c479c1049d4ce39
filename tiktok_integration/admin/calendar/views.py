"""The calendar's admin views: the page, the feed (GET, JSON) and a move
(POST, JSON, CSRF-protected by the admin site). Thin: they read the request,
call ``tiktok_integration.calendar`` and answer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from csp.constants import NONCE
from csp.decorators import csp_update
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cms.scheduling import LocalTimeError, format_local, zone
from tiktok_integration.calendar.feed import (
    FeedQuery,
    calendar_feed,
    calendar_post_event,
)
from tiktok_integration.calendar.moves import MoveRefusedError, calendar_post_move
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import TikTokAccount
from tiktok_integration.selectors import POST_STATE_LABELS
from workspaces.models import Workspace
from workspaces.selectors import workspace_ids_for, workspace_list_for

VIEW_PERMISSION = "cms.view_post"
CHANGE_PERMISSION = "cms.change_post"
#: A placeholder id the page's script swaps for a post's id.
ID_PLACEHOLDER = 2147483647


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _visible_workspace(request: HttpRequest, raw: str | None) -> Workspace | None:
    workspaces = workspace_list_for(request.user).order_by("name")
    chosen = workspaces.filter(pk=int(raw)).first() if raw and raw.isdigit() else None
    return chosen or workspaces.first()


# FullCalendar adds its own stylesheet from script; the page's nonce (in a
# meta tag the library reads) lets that one <style> in and nothing inline. Its
# icon font is a data: URL inside that stylesheet.
@cast(Any, csp_update({"style-src": [NONCE], "font-src": ["data:"]}))  # typed loosely
def calendar_page(request: HttpRequest, site: Any) -> TemplateResponse:
    """GET: the calendar of one workspace (``?workspace=<id>``, default the
    first by name), with its accounts and the state legend."""
    _require(request, VIEW_PERMISSION)
    workspace = _visible_workspace(request, request.GET.get("workspace"))
    accounts = (
        TikTokAccount.objects.filter(workspace=workspace).order_by("username")
        if workspace
        else TikTokAccount.objects.none()
    )
    compose_edit = reverse("admin:cms_post_compose_edit", args=[ID_PLACEHOLDER])
    context = {
        **site.each_context(request),
        "title": "Calendar",
        "workspace": workspace,
        "workspaces": workspace_list_for(request.user).order_by("name"),
        "accounts": accounts,
        "states": list(POST_STATE_LABELS.items()),
        "can_move": request.user.has_perm(CHANGE_PERMISSION),
        "urls": {
            "feed": reverse("admin:calendar_feed"),
            "move": reverse("admin:calendar_move"),
            "compose": reverse("admin:cms_post_compose"),
            "compose_edit": compose_edit.replace(str(ID_PLACEHOLDER), "{id}"),
        },
    }
    return TemplateResponse(request, "admin/tiktok_integration/calendar.html", context)


def _wall(raw: str) -> datetime:
    """A naive wall time from FullCalendar's ISO text ("2026-03-29T10:00:00",
    a "Z" or offset ignored: the page runs in wall-time mode)."""
    text = raw.strip().replace(" ", "+")
    moment = datetime.fromisoformat(text[:19] if len(text) >= 19 else text[:10])
    return moment.replace(tzinfo=None)


def _zone_name(raw: str | None, workspace: Workspace) -> str:
    name = raw or workspace.time_zone
    try:
        zone(name)
    except LocalTimeError:
        return workspace.time_zone
    return name


@require_GET
def calendar_feed_view(request: HttpRequest, site: Any) -> JsonResponse:
    """GET ``start``, ``end`` (ISO wall times), ``workspace`` (id), optional
    ``account`` (id), ``state`` (repeatable), ``tz`` (IANA; default the
    workspace's): a JSON list of events (``calendar.feed``). 400 for a bad
    range; an empty list for a workspace the user may not see."""
    _require(request, VIEW_PERMISSION)
    raw_workspace = request.GET.get("workspace", "")
    try:
        start, end = _wall(request.GET["start"]), _wall(request.GET["end"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "start and end must be ISO dates."}, status=400)
    workspace = (
        Workspace.objects.filter(pk=int(raw_workspace)).first()
        if raw_workspace.isdigit()
        else None
    )
    if workspace is None:
        return JsonResponse([], safe=False)
    account = request.GET.get("account", "")
    query = FeedQuery(
        start=start,
        end=end,
        time_zone=_zone_name(request.GET.get("tz"), workspace),
        workspace_id=workspace.pk,
        visible_workspace_ids=workspace_ids_for(request.user),
        account_id=int(account) if account.isdigit() else None,
        states=frozenset(request.GET.getlist("state")) & POST_STATE_LABELS.keys(),
    )
    return JsonResponse(calendar_feed(query=query, now=db_now()), safe=False)


@require_POST
def calendar_move_view(request: HttpRequest, site: Any) -> JsonResponse:
    """POST JSON {``post``: id, ``start``: ISO wall time, ``tz``: IANA}: move
    the post (``calendar_post_move``). 200 {``event``} with the moved post as
    the feed shows it; 409 {``error``} with the reason nothing moved; 400 for
    a malformed body."""
    _require(request, CHANGE_PERMISSION)
    try:
        body = json.loads(request.body)
        post_id = int(body["post"])
        wall = _wall(str(body["start"]))
        time_zone = str(body["tz"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Send post, start and tz."}, status=400)
    try:
        move = calendar_post_move(
            post_id=post_id,
            user_id=cast(int, request.user.pk),
            wall_time=wall,
            time_zone=time_zone,
        )
    except MoveRefusedError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse(
        {
            "event": calendar_post_event(
                post_id=move.post_id,
                workspace_id=move.post.workspace_id,
                time_zone=time_zone,
                now=db_now(),
            ),
            "message": f"Moved \u201c{move.post.title}\u201d to "
            f"{format_local(move.to_instant, move.time_zone)}.",
        }
    )
