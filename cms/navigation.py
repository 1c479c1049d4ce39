"""The admin's navigation by task, built in this one place.

Every page of the admin site shows ``navigation_for(request)`` in its header
(templates/admin/base_site.html). Staff see the tasks they may do (Compose,
Calendar, Waiting for me, Posts, Media, Accounts, Analytics, Settings); the
tables behind the scenes (sandbox, scheduler, attempts, lockouts) are one
"System" section that only superusers see. A model is in System unless a
task entry or Settings names it, so a newly registered table never clutters
staff's navigation.

To add a task, append a ``NavEntry`` to ``TASK_ENTRIES`` at the place it
should appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from workspaces.admin_scoping import is_client_reviewer_only


@dataclass(frozen=True)
class NavEntry:
    """One task in the header.

    ``url_name``: where the entry leads (an admin URL name, e.g.
    "admin:cms_post_changelist"). ``permission``: "app_label.codename" the
    user needs to see it; empty for everyone with admin access.
    ``models``: model labels ("cms.post") whose admin pages mark this entry as
    the current one and keep those models out of System. ``url_names``: other
    admin URL names (without "admin:") that mark it current; they win over
    ``models`` (Compose's page is a Post page, but it is Compose).
    """

    key: str
    label: str
    url_name: str
    permission: str = ""
    models: tuple[str, ...] = ()
    url_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavLink:
    """An entry as one user sees it: ``label``, ``url``, whether it is the
    page being shown (``current``), and its ``key`` (for the element id
    "nav-<key>")."""

    key: str
    label: str
    url: str
    current: bool = False


TASK_ENTRIES: list[NavEntry] = [
    NavEntry(
        "compose",
        "Compose",
        "admin:cms_post_compose",
        permission="cms.add_post",
        url_names=(
            "cms_post_compose",
            "cms_post_compose_panels",
            "cms_post_compose_edit",
            "cms_post_compose_status",
        ),
    ),
    NavEntry(
        "calendar",
        "Calendar",
        "admin:calendar",
        permission="cms.view_post",
        url_names=("calendar", "calendar_feed", "calendar_move"),
    ),
    NavEntry(
        "review",
        "Waiting for me",
        "admin:cms_post_review_inbox",
        url_names=(
            "cms_post_review_inbox",
            "cms_post_review",
            "cms_post_review_media",
            "cms_post_notifications_read",
        ),
    ),
    NavEntry(
        "posts",
        "Posts",
        "admin:cms_post_changelist",
        permission="cms.view_post",
        models=("cms.post", "cms.postmedia", "tiktok_integration.publishjob"),
    ),
    NavEntry(
        "media",
        "Media",
        "admin:media_library_mediaasset_changelist",
        permission="media_library.view_mediaasset",
        models=("media_library.mediaasset",),
    ),
    NavEntry(
        "accounts",
        "Accounts",
        "admin:tiktok_integration_tiktokaccount_changelist",
        permission="tiktok_integration.view_tiktokaccount",
        models=(
            "tiktok_integration.tiktokaccount",
            "tiktok_integration.postingqueue",
            "tiktok_integration.queueslot",
        ),
    ),
    NavEntry(
        "analytics",
        "Analytics",
        "admin:tiktok_integration_tiktokvideo_changelist",
        permission="tiktok_integration.view_tiktokvideo",
        models=("tiktok_integration.tiktokvideo",),
    ),
]

# Models staff configure now and then: listed on the Settings page.
SETTINGS_MODELS: tuple[str, ...] = (
    "workspaces.workspace",
    "auth.user",
    "auth.group",
    "media_library.tag",
    "media_library.verifiedurlprefix",
    "tiktok_integration.urlverificationfile",
    "cms.legalpage",
)
SETTINGS_URL_NAMES = ("postdeck_settings", "two_factor", "tiktok_review_kit")
SYSTEM_URL_NAMES = ("postdeck_system",)


def _task_models() -> set[str]:
    return {label for entry in TASK_ENTRIES for label in entry.models}


def _current_url_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "admin":
        return ""
    return match.url_name or ""


def _model_of(url_name: str, model_labels: Iterable[str]) -> str:
    """The model label whose admin URL names start like ``url_name``
    ("cms_post_change" -> "cms.post"), or ""."""
    for label in model_labels:
        if url_name.startswith(label.replace(".", "_") + "_"):
            return label
    return ""


def _current_key(request: HttpRequest) -> str:
    url_name = _current_url_name(request)
    if not url_name:
        return ""
    for entry in TASK_ENTRIES:
        if url_name in entry.url_names:
            return entry.key
    model = _model_of(url_name, _task_models())
    for entry in TASK_ENTRIES:
        if model and model in entry.models:
            return entry.key
    if url_name in SETTINGS_URL_NAMES or _model_of(url_name, SETTINGS_MODELS):
        return "settings"
    if url_name in SYSTEM_URL_NAMES:
        return "system"
    if url_name.endswith(("_changelist", "_change", "_add", "_delete", "_history")):
        return "system"
    return ""


def section_models(
    site: AdminSite, request: HttpRequest, section: str
) -> list[dict[str, Any]]:
    """The admin's app list (``AdminSite.get_app_list`` shape: apps with their
    "models") cut down to ``section``: "settings" (``SETTINGS_MODELS``) or
    "system" (every model no task entry or Settings names). Apps left
    without models are dropped."""
    if section == "settings":

        def keep(label: str) -> bool:
            return label in SETTINGS_MODELS
    else:
        hidden = _task_models() | set(SETTINGS_MODELS)

        def keep(label: str) -> bool:
            return label not in hidden

    apps = []
    for app in site.get_app_list(request):
        models = [
            model
            for model in app["models"]
            if model.get("model") is not None and keep(model["model"]._meta.label_lower)
        ]
        if models:
            apps.append({**app, "models": models})
    return apps


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def navigation_for(request: HttpRequest) -> list[NavLink]:
    """The header's links for ``request.user``, in order: the task entries
    they may use, then "Settings", then "System" for superusers only.

    An entry whose URL does not exist (an app not installed) is left out. A
    user who only reviews for clients sees "Waiting for me" alone: the other
    pages hold nothing of theirs, whatever group they were put in.
    """
    user = request.user
    if not (user.is_active and user.is_staff):
        return []
    current = _current_key(request)
    if not user.is_superuser and is_client_reviewer_only(request):
        return [
            NavLink(entry.key, entry.label, url, current == entry.key)
            for entry in TASK_ENTRIES
            if entry.key == "review" and (url := _url(entry.url_name))
        ]
    links = [
        NavLink(entry.key, entry.label, url, current == entry.key)
        for entry in TASK_ENTRIES
        if (not entry.permission or user.has_perm(entry.permission))
        and (url := _url(entry.url_name))
    ]
    links.append(
        NavLink(
            "settings",
            "Settings",
            reverse("admin:postdeck_settings"),
            current == "settings",
        )
    )
    if user.is_superuser:
        links.append(
            NavLink(
                "system",
                "System",
                reverse("admin:postdeck_system"),
                current == "system",
            )
        )
    return links
