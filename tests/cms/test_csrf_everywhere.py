"""Every state-changing endpoint refuses a POST without a CSRF token, and GET on
an action URL changes nothing.

The endpoints are read from the URL conf (every ModelAdmin's get_urls, the
admin site's own views, connect, two-factor, ...), so a new endpoint is covered
the day it is added. The only views exempt from CSRF are the ones a server, not
a browser, calls: TikTok's webhook, the sandbox's emulation of TikTok's API, and
the one-click unsubscribe a mail client posts (RFC 8058; it can only turn
review emails off, for the holder of the email's signed link).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from media_library.models import MediaAsset
from tests.factories.tiktok import (
    PublishJobFactory,
    TikTokAccountFactory,
    TikTokVideoFactory,
)
from tests.factories.workspaces import UserFactory, WorkspaceFactory
from tiktok_integration.models import PublishJob

pytestmark = pytest.mark.django_db

# Called by servers with their own credentials (a signature, a bearer token).
CSRF_EXEMPT = {
    "tiktok:webhook",
    "review_email_one_click",
    "tiktok_sandbox:oauth_token",
    "tiktok_sandbox:oauth_revoke",
    "tiktok_sandbox:user_info",
    "tiktok_sandbox:video_list",
    "tiktok_sandbox:video_query",
    "tiktok_sandbox:creator_info",
    "tiktok_sandbox:video_init",
    "tiktok_sandbox:inbox_video_init",
    "tiktok_sandbox:content_init",
    "tiktok_sandbox:status_fetch",
    "tiktok_sandbox:cancel",
    "tiktok_sandbox:upload",
}
# A model admin's own view on one object: admin/<app>/<model>/<id>/<view>/.
OBJECT_VIEW = re.compile(
    r"^admin/(?P<app>\w+)/(?P<model>\w+)/<(?:path|int):(?P<arg>\w+)>/(?P<view>[\w-]+)/$"
)
STANDARD_OBJECT_VIEWS = {"change", "delete", "history"}
# The job actions the issue names (each changes a job's state on POST).
JOB_ACTIONS = ("publish_now", "cancel_jobs", "retry_jobs", "reconcile_jobs")
# Tables a request may write without anything having changed for a user.
BOOKKEEPING = {Session}


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str | None, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                entry.namespace or namespace,
            )
        else:
            yield prefix + str(entry.pattern), namespace, entry


_GROUP_SAMPLES = ("anything.jpg", "anything.txt", "1", "a")


def _group_sample(match: re.Match[str]) -> str:
    """A value the named group's own pattern accepts."""
    for value in _GROUP_SAMPLES:
        if re.fullmatch(match.group(1), value):
            return value
    raise AssertionError(f"no sample value for {match.group(0)}")


def _sample(route: str) -> str:
    """A concrete path for ``route`` (a route or a regex), such as the router
    resolves back to the same view."""
    path = re.sub(r"\(\?P<app_label>(\w+)\|[^)]*\)", r"\1", route)
    path = re.sub(r"\(\?:[^)]*\)\?", "", path)  # optional non-capturing parts
    path = re.sub(r"\(\?P<\w+>([^)]*)\)", _group_sample, path)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)  # <int:pk>, <path:object_id>
    return "/" + path.replace("^", "").replace("$", "")


def all_endpoints() -> list[tuple[str, str, Any]]:
    """(label, path, view) for every URL pattern of the project."""
    endpoints = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        path = _sample(route)
        assert resolve(path).func == pattern.callback, (route, path)
        name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
        label = name if pattern.name else route
        endpoints.append((label, path, pattern.callback))
    return endpoints


ENDPOINTS = all_endpoints()


@pytest.fixture
def superuser_client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_enumeration_covers_the_custom_views():
    # Guards the walk itself: these are the state-changing views the issue
    # names; if one is missing, the walk below checks nothing for it.
    names = {label for label, _, _ in ENDPOINTS}
    assert {
        "admin:tiktok_integration_tiktokaccount_recheck",
        "admin:tiktok_integration_tiktokaccount_disconnect",
        "admin:tiktok_integration_publishjob_mark_published",
        "admin:tiktok_integration_publishjob_changelist",
        "admin:media_library_mediaasset_make_ready",
        "admin:two_factor",
        "admin:login",
        "tiktok:connect",
    } <= names


def test_only_server_to_server_endpoints_are_exempt_from_csrf():
    exempt = {label for label, _, view in ENDPOINTS if getattr(view, "csrf_exempt", 0)}
    assert exempt == CSRF_EXEMPT


@pytest.mark.parametrize(
    ("label", "path"),
    [(label, path) for label, path, view in ENDPOINTS if label not in CSRF_EXEMPT],
    ids=[label for label, _, _ in ENDPOINTS if label not in CSRF_EXEMPT],
)
@pytest.mark.parametrize("who", ["signed in", "anonymous"])
def test_a_post_without_a_csrf_token_is_refused(superuser_client, label, path, who):
    client = (
        superuser_client if who == "signed in" else Client(enforce_csrf_checks=True)
    )
    # when
    response = client.post(path, {"action": "delete_selected", "_selected_action": 1})
    # then
    assert response.status_code == 403, (label, response.status_code)
    assert b"CSRF verification failed" in response.content


# --- GET on action URLs -------------------------------------------------------


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a user's data lives in."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model not in BOOKKEEPING
    }


@pytest.fixture
def one_of_each(superuser_client: Client) -> None:
    """An object for every model that has views of its own, so a GET reaches
    the view instead of a 404."""
    workspace = WorkspaceFactory()
    account = TikTokAccountFactory(workspace=workspace)
    PublishJobFactory(
        account=account, post__workspace=workspace, status=PublishJob.Status.FAILED
    )
    # A cover fetched just now: its view answers without asking TikTok.
    TikTokVideoFactory(
        account=account,
        cover_image_url="https://p16.example.com/cover.jpg",
        cover_fetched_at=timezone.now(),
    )
    MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.VIDEO,
        original_filename="clip.mov",
        file=ContentFile(b"not really a video", name="clip.mov"),
        sha256=uuid.uuid4().hex * 2,
        size_bytes=18,
        mime_type="video/quicktime",
        # Probed, not TikTok-ready and fixable: "Make TikTok-ready" would act.
        probe_status=MediaAsset.ProbeStatus.PROBED,
        is_tiktok_ready=False,
        width=3840,
        height=2160,
        duration_seconds=12.0,
        frame_rate=30.0,
    )
    TOTPDevice.objects.create(
        user=UserFactory(is_staff=True), name="phone", confirmed=True
    )


def object_action_urls() -> list[tuple[str, str, str]]:
    """(label, app_label.model, url pattern) of every ModelAdmin's own view on
    one object (re-check, disconnect, make ready, mark published, ...)."""
    found = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        match = OBJECT_VIEW.match(route)
        if namespace != "admin" or not match:
            continue
        if match["view"] in STANDARD_OBJECT_VIEWS:
            continue
        found.append(
            (f"admin:{pattern.name}", f"{match['app']}.{match['model']}", match["arg"])
        )
    return found


@pytest.mark.parametrize(
    ("label", "model", "arg"),
    object_action_urls(),
    ids=[label for label, _, _ in object_action_urls()],
)
def test_get_on_an_object_action_url_changes_nothing(
    superuser_client, one_of_each, label, model, arg
):
    # given
    obj = apps.get_model(model).objects.order_by("pk").first()
    assert obj is not None, f"one_of_each must create a {model}"
    before = snapshot()
    # when
    response = superuser_client.get(reverse(label, kwargs={arg: obj.pk}))
    # then
    assert response.status_code < 500
    assert snapshot() == before


def changelist_actions() -> list[tuple[str, str]]:
    """(changelist URL name, action) for every action of every ModelAdmin."""
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    found = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        for action in model_admin.get_actions(request):
            found.append(("admin:{}_{}_changelist".format(*info), action))
    return found


def test_get_with_an_action_in_the_query_changes_nothing(superuser_client, one_of_each):
    # given every changelist action, asked for with GET on every object
    actions = changelist_actions()
    jobs = "admin:tiktok_integration_publishjob_changelist"
    assert {(jobs, name) for name in JOB_ACTIONS} <= set(actions)
    before = snapshot()
    # when
    for url_name, action in actions:
        model = resolve(reverse(url_name)).func.model_admin.model
        selected = list(model.objects.values_list("pk", flat=True))
        response = superuser_client.get(
            reverse(url_name),
            {"action": action, "_selected_action": selected, "index": 0},
        )
        assert response.status_code < 500, (url_name, action)
    # then
    assert snapshot() == before
