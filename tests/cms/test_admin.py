"""Every admin page answers, lists keep a constant query count, secrets never show."""

from __future__ import annotations

from datetime import time

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.legal.services import legal_page_save
from tests.factories.cms import PostFactory
from tests.factories.media import (
    MediaAssetFactory,
    MediaConversionFactory,
    TagFactory,
    VerifiedUrlPrefixFactory,
)
from tests.factories.tiktok import (
    PublishAttemptFactory,
    PublishJobFactory,
    TikTokAccountFactory,
    VideoSnapshotFactory,
)
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tiktok_integration.models import PostingQueue, QueueSlot, UrlVerificationFile

pytestmark = pytest.mark.django_db

PROJECT_MODELS = [
    model for model in admin.site._registry
    if model._meta.app_label in {"workspaces", "cms", "media_library", "tiktok_integration"}
]  # fmt: skip


def populate(workspace):
    """One of every object the admin shows, in ``workspace``."""
    job = PublishJobFactory(post=PostFactory(workspace=workspace))
    PublishAttemptFactory(job=job)
    queue = PostingQueue.objects.create(account=job.account)
    QueueSlot.objects.create(queue=queue, weekday=0, local_time=time(9))
    VideoSnapshotFactory(video__account=job.account, video__publish_job=job)
    asset = MediaAssetFactory(workspace=workspace)
    asset.tags.add(TagFactory(workspace=workspace))
    MediaConversionFactory(
        source=MediaAssetFactory(workspace=workspace, is_tiktok_ready=False)
    )
    VerifiedUrlPrefixFactory()
    MembershipFactory(workspace=workspace)
    UrlVerificationFile.objects.create(
        file_name=f"tiktok{workspace.pk}.txt", content=f"v={workspace.pk}"
    )
    # One per kind: a second call saves a new version of the same page.
    legal_page_save(kind="terms", title="Terms", body="<p>T</p>", user=None)
    return job


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_pages_answer(admin_client, model):
    # given
    populate(WorkspaceFactory())
    info = model._meta.app_label, model._meta.model_name
    obj = model._default_manager.first()
    # when
    changelist = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    change = admin_client.get(
        reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    )
    # then
    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in PROJECT_MODELS if admin.site._registry[m].has_add_permission(
        type("R", (), {"user": type("U", (), {"is_superuser": True, "has_perm": lambda *a: True})()})()
    )], ids=lambda m: m._meta.label,
)  # fmt: skip
def test_add_pages_answer(admin_client, model):
    info = model._meta.app_label, model._meta.model_name
    assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


def test_accounts_cannot_be_typed_in_by_hand(admin_client):
    # Accounts come from OAuth, never from a blank form with tokens in it.
    url = reverse("admin:tiktok_integration_tiktokaccount_add")
    assert admin_client.get(url).status_code == 403


def test_token_values_never_appear_in_any_admin_page(admin_client):
    # given
    account = TikTokAccountFactory(
        access_token="act.visible-nowhere", refresh_token="rft.visible-nowhere"
    )
    job = PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace),
        upload_url="https://upload.example/?upload_token=tok-visible-nowhere",
    )
    pages = [
        reverse("admin:tiktok_integration_tiktokaccount_changelist"),
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk]),
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk]),
        reverse("admin:tiktok_integration_publishjob_changelist"),
    ]
    # then
    for page in pages:
        html = admin_client.get(page).content.decode()
        assert "visible-nowhere" not in html
        assert "upload_token" not in html


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    # given one populated workspace
    populate(WorkspaceFactory())
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    # when ten more appear
    for _ in range(10):
        populate(WorkspaceFactory())
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    # then
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_dashboard_lists_upcoming_failures_and_reconnects(admin_client):
    # given
    upcoming = PublishJobFactory(post=PostFactory(title="Launch teaser"))
    PublishJobFactory(
        post=PostFactory(title="Broken upload"),
        status="failed",
        failure_message="TikTok refused the frame rate.",
    )
    TikTokAccountFactory(
        username="lapsed",
        status="reauth_required",
        status_reason="Refresh token expired.",
    )
    # when
    html = admin_client.get(reverse("admin:index")).content.decode()
    # then
    assert "Launch teaser" in html and upcoming.account.username in html
    assert "Broken upload" in html and "TikTok refused the frame rate." in html
    assert "@lapsed" in html and "Refresh token expired." in html


def test_dashboard_query_count_is_constant(admin_client):
    for _ in range(2):
        PublishJobFactory()
    admin_client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin:index"))
    for _ in range(8):
        PublishJobFactory(status="failed")
        TikTokAccountFactory(status="reauth_required")
        PublishJobFactory()
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("admin:index"))
    assert len(many) == len(few)


def test_sandbox_banner_shows_in_sandbox_mode(admin_client, settings):
    settings.TIKTOK_SANDBOX = True
    assert (
        'id="sandbox-banner"'
        in admin_client.get(reverse("admin:index")).content.decode()
    )
    settings.TIKTOK_SANDBOX = False
    assert (
        'id="sandbox-banner"'
        not in admin_client.get(reverse("admin:index")).content.decode()
    )


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
