"""The composer: one post for one or more accounts of a workspace (issue 11).

``compose_page`` renders the form and takes its POST (``post_compose`` checks
everything again; nothing reaches TikTok before the button, §8.6);
``compose_panels`` renders targets' panels with creator info asked just now
(the page fetches them in a few parallel requests); ``compose_status`` is the
JSON the page polls after the button. All are admin views
(``PostAdmin.get_urls``), scoped to the user's workspaces: anything else is 404.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cms.models import Post
from tiktok_integration.admin.composer import texts
from tiktok_integration.admin.composer.page import (
    account_list,
    initial_values,
    media_choices,
    submitted_values,
    zone_choices,
)
from tiktok_integration.admin.composer.panels import panels_for
from tiktok_integration.admin.composer.status import post_status
from tiktok_integration.admin.composer.submission import (
    parse_submission,
    target_prefix,
)
from tiktok_integration.admin.composer.when import local_time_choices, when_prefill
from tiktok_integration.client.facts import (
    PHOTO_DESCRIPTION_MAX_UTF16,
    PHOTO_TITLE_MAX_UTF16,
    VIDEO_TITLE_MAX_UTF16,
)
from tiktok_integration.models import TikTokAccount
from tiktok_integration.pull_media.readiness import (
    PHOTOS_NOT_READY,
    pull_media_readiness,
)
from tiktok_integration.services.compose import ComposeError, post_compose
from workspaces.models import Workspace
from workspaces.selectors import workspace_ids_for, workspace_list_for

#: Requests the page sends at once for its panels: under the browser's six
#: connections per host, so none waits for another (the rest is for media).
PANEL_REQUESTS = 4
#: Accounts one panels request may ask about.
MAX_PANELS = 50


def _posts(request: HttpRequest) -> QuerySet[Post]:
    allowed = workspace_ids_for(request.user)
    posts = Post.objects.select_related("workspace")
    return posts if allowed is None else posts.filter(workspace_id__in=allowed)


def _workspace(request: HttpRequest, post: Post | None) -> Workspace | None:
    if post is not None:
        return post.workspace
    workspaces = workspace_list_for(request.user).order_by("name")
    raw = request.POST.get("workspace") or request.GET.get("workspace")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(workspaces, pk=int(raw))
    return workspaces.first() if workspaces.count() == 1 else None


def _account_ids(raw: str) -> tuple[int, ...]:
    return tuple(int(part) for part in raw.split(",") if part.strip().isdigit())


@require_http_methods(["GET", "POST"])
def compose_page(
    request: HttpRequest, post_id: int | None = None, *, model_admin: ModelAdmin[Post]
) -> HttpResponse:
    """GET: the composer; POST: ``post_compose`` then back here with the live
    state (``?sent=1``), or the form again with each error next to its field."""
    post = None if post_id is None else get_object_or_404(_posts(request), pk=post_id)
    allowed = (
        model_admin.has_add_permission(request)
        if post is None
        else model_admin.has_change_permission(request, post)
    )
    if not allowed:
        raise PermissionDenied
    workspace = _workspace(request, post)
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": Post._meta,
        "post": post,
        "title": "Compose a post" if post is None else f"Compose: {post.title}",
    }
    if workspace is None:
        context["workspaces"] = workspace_list_for(request.user).order_by("name")
        return TemplateResponse(
            request, "admin/cms/post/compose_workspace.html", context
        )
    if post is not None and request.method == "GET" and request.GET.get("sent") == "1":
        # After the button: only each target's live state (no form, so no
        # fresh creator-info calls nobody will use).
        context.update(workspace=workspace, sent=True, texts=texts)
        return TemplateResponse(request, "admin/cms/post/compose.html", context)
    errors: dict[str, list[str]] = {}
    time_choices: list[Any] = []
    if request.method == "POST":
        submission = parse_submission(
            request.POST,
            workspace_id=workspace.pk,
            user_id=cast(int, request.user.pk),
            post_id=None if post is None else post.pk,
        )
        errors = submission.errors
        if submission.request is not None:
            try:
                saved = post_compose(request=submission.request)
            except ComposeError as error:
                errors = error.errors
                time_choices = local_time_choices(
                    error.local_time_error, submission.request.time_zone
                )
            else:
                url = reverse("admin:cms_post_compose_edit", args=[saved.pk])
                return redirect(f"{url}?sent=1")
        values = submitted_values(request.POST)
    else:
        values = initial_values(
            workspace=workspace,
            post=post,
            account_ids=_account_ids(request.GET.get("accounts", "")),
        )
        if post is None:
            values.update(when_prefill(request.GET))
    context.update(_page_context(workspace, post, values, errors, time_choices))
    return TemplateResponse(request, "admin/cms/post/compose.html", context)


def _page_context(
    workspace: Workspace,
    post: Post | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    time_choices: list[Any],
) -> dict[str, Any]:
    chosen = set(values["targets"])
    return {
        "workspace": workspace,
        "values": values,
        "accounts": [
            (account, account.pk in chosen) for account in account_list(workspace)
        ],
        "media": media_choices(workspace, tuple(values["media_ids"])),
        "zones": zone_choices(values["time_zone"] or workspace.time_zone),
        "has_errors": bool(errors),
        "errors": {key: messages for key, messages in errors.items() if ":" not in key},
        "page_data": {
            "panelsUrl": reverse("admin:cms_post_compose_panels"),
            "panelRequests": PANEL_REQUESTS,
            "workspace": workspace.pk,
            "targetValues": values["target_values"],
            "targetErrors": {
                key: messages for key, messages in errors.items() if ":" in key
            },
        },
        "time_choices": time_choices,
        "limits": {
            "video": VIDEO_TITLE_MAX_UTF16,
            "photo_description": PHOTO_DESCRIPTION_MAX_UTF16,
            "photo_title": PHOTO_TITLE_MAX_UTF16,
        },
        "texts": texts,
        "photo_readiness": pull_media_readiness(),
        "photos_not_ready": PHOTOS_NOT_READY,
    }


@require_GET
def compose_panels(
    request: HttpRequest, *, model_admin: ModelAdmin[Post]
) -> HttpResponse:
    """The panels (HTML fragments, in the order asked) of ``?accounts=1,2``
    (at most ``MAX_PANELS``), creator info asked just now; 404 if any account
    is not in the user's workspaces (or not in ``?workspace=``)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    wanted = _account_ids(request.GET.get("accounts", ""))
    if not wanted or len(wanted) > MAX_PANELS:
        raise Http404
    allowed = workspace_ids_for(request.user)
    accounts = TikTokAccount.objects.select_related("workspace")
    if allowed is not None:
        accounts = accounts.filter(workspace_id__in=allowed)
    workspace = request.GET.get("workspace", "")
    if workspace.isdigit():
        accounts = accounts.filter(workspace_id=int(workspace))
    found = {account.pk: account for account in accounts.filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise Http404
    panels = panels_for([found[account_id] for account_id in wanted])
    return TemplateResponse(
        request,
        "admin/cms/post/compose_panels.html",
        {
            "panels": [
                {
                    "panel": panel,
                    "prefix": target_prefix(panel.account.pk),
                    "snapshot_json": json.dumps(panel.snapshot),
                }
                for panel in panels
            ],
            "texts": texts,
        },
    )


@require_GET
def compose_status(
    request: HttpRequest, post_id: int, *, model_admin: ModelAdmin[Post]
) -> JsonResponse:
    """Each target's live state as JSON (see ``status.post_status``)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    post = get_object_or_404(_posts(request), pk=post_id)
    return JsonResponse(post_status(post))
