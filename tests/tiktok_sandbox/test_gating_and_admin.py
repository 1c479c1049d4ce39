"""The sandbox exists only in sandbox mode, and its admin only for superusers."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from tiktok_sandbox.models import (
    SandboxCall,
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
    SandboxSettings,
    SandboxToken,
    SandboxVideo,
    SandboxWebhookDelivery,
)
from tiktok_sandbox.services import (
    sandbox_ensure_defaults,
    sandbox_settings_update,
    sandbox_tokens_issue,
)
from tiktok_sandbox.services.publishing import sandbox_init_inbox_video
from tiktok_sandbox.tasks import sandbox_advance_task

SANDBOX_PATHS = [
    "/tiktok-sandbox/v2/auth/authorize/",
    "/tiktok-sandbox/v2/oauth/token/",
    "/tiktok-sandbox/v2/oauth/revoke/",
    "/tiktok-sandbox/v2/user/info/",
    "/tiktok-sandbox/v2/video/list/",
    "/tiktok-sandbox/v2/video/query/",
    "/tiktok-sandbox/v2/post/publish/creator_info/query/",
    "/tiktok-sandbox/v2/post/publish/video/init/",
    "/tiktok-sandbox/v2/post/publish/inbox/video/init/",
    "/tiktok-sandbox/v2/post/publish/content/init/",
    "/tiktok-sandbox/v2/post/publish/status/fetch/",
    "/tiktok-sandbox/v2/post/publish/cancel/",
    "/tiktok-sandbox/upload/",
    "/tiktok-sandbox/avatar/sandbox.public/",
    "/tiktok-sandbox/@sandbox.public/",
]
SANDBOX_MODELS = [
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
    SandboxVideo,
    SandboxToken,
    SandboxCall,
    SandboxWebhookDelivery,
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SANDBOX_PATHS)
def test_every_sandbox_view_is_404_when_sandbox_mode_is_off(
    client: Client, settings: SettingsWrapper, path: str
) -> None:
    # given: the URLs are mounted (the test settings run in sandbox mode)
    sandbox_ensure_defaults()
    assert resolve(path).namespace == "tiktok_sandbox"
    settings.TIKTOK_SANDBOX = False
    # when
    responses = [client.get(path), client.post(path), client.put(path)]
    # then
    assert [response.status_code for response in responses] == [404, 404, 404]


def test_sandbox_urls_are_not_mounted_when_sandbox_mode_is_off(
    settings: SettingsWrapper,
) -> None:
    # given
    import config.urls

    settings.TIKTOK_SANDBOX = False
    try:
        # when
        importlib.reload(config.urls)
        clear_url_caches()
        # then
        with pytest.raises(Resolver404):
            resolve("/tiktok-sandbox/v2/oauth/token/")
    finally:
        settings.TIKTOK_SANDBOX = True
        importlib.reload(config.urls)
        clear_url_caches()
    assert resolve("/tiktok-sandbox/v2/oauth/token/").url_name == "oauth_token"


@pytest.mark.django_db
def test_admin_shows_the_sandbox_banner_and_app_to_superusers(
    admin_client: Client,
) -> None:
    # when
    page = admin_client.get(reverse("admin:index")).content.decode()
    # then
    assert 'id="sandbox-banner"' in page
    assert "TikTok sandbox" in page


@pytest.mark.django_db
def test_sandbox_admin_is_hidden_when_sandbox_mode_is_off(
    admin_client: Client, settings: SettingsWrapper
) -> None:
    # given
    settings.TIKTOK_SANDBOX = False
    # when
    index = admin_client.get(reverse("admin:index")).content.decode()
    listing = admin_client.get(
        reverse("admin:tiktok_sandbox_sandboxcreator_changelist")
    )
    # then
    assert "TikTok sandbox" not in index
    assert 'id="sandbox-banner"' not in index
    assert listing.status_code == 403


@pytest.mark.django_db
def test_sandbox_admin_is_for_superusers_only(client: Client) -> None:
    # given
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    # when
    response = client.get(reverse("admin:tiktok_sandbox_sandboxcreator_changelist"))
    # then
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("model", SANDBOX_MODELS)
def test_sandbox_changelists_render(admin_client: Client, model: type) -> None:
    # given
    sandbox_ensure_defaults()
    opts = model._meta
    # when
    response = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    # then
    assert response.status_code == 200


@pytest.mark.django_db
def test_settings_admin_is_the_single_row(admin_client: Client) -> None:
    # when
    listing = admin_client.get(
        reverse("admin:tiktok_sandbox_sandboxsettings_changelist")
    )
    change_url = reverse("admin:tiktok_sandbox_sandboxsettings_change", args=[1])
    page = admin_client.get(change_url)
    # then
    assert listing.status_code == 302
    assert listing["Location"] == change_url
    assert page.status_code == 200
    assert SandboxSettings.objects.count() == 1


@pytest.mark.django_db
def test_admin_action_creator_posts_the_draft(admin_client: Client) -> None:
    # given
    creator, *_ = sandbox_ensure_defaults()
    sandbox_settings_update(processing_delay_seconds=0)
    result = sandbox_init_inbox_video(
        creator=creator,
        body={
            "source_info": {
                "source": "PULL_FROM_URL",
                "video_url": "http://127.0.0.1:8000/media/clip.mp4",
            }
        },
    )
    sandbox_settings_update(fetches_pulled_media=False)
    # when
    response = admin_client.post(
        reverse("admin:tiktok_sandbox_sandboxpublish_changelist"),
        {"action": "post_draft", "_selected_action": [result.publish.pk]},
    )
    # then
    result.publish.refresh_from_db()
    assert response.status_code == 302
    assert result.publish.status == "PUBLISH_COMPLETE"
    assert result.publish.videos.count() == 1


@pytest.mark.django_db
def test_admin_action_expires_access_tokens(admin_client: Client) -> None:
    # given
    creator, *_ = sandbox_ensure_defaults()
    sandbox_tokens_issue(creator=creator, scopes=["video.publish"])
    # when
    admin_client.post(
        reverse("admin:tiktok_sandbox_sandboxcreator_changelist"),
        {"action": "expire_access_tokens", "_selected_action": [creator.pk]},
    )
    # then
    access = SandboxToken.objects.get(kind="access")
    refresh = SandboxToken.objects.get(kind="refresh")
    assert access.expires_at <= timezone.now()
    assert refresh.expires_at > timezone.now()


@pytest.mark.django_db
def test_advance_task_does_nothing_outside_sandbox_mode(
    settings: SettingsWrapper,
) -> None:
    # given
    creator, *_ = sandbox_ensure_defaults()
    sandbox_settings_update(processing_delay_seconds=0, fetches_pulled_media=False)
    result = sandbox_init_inbox_video(
        creator=creator,
        body={
            "source_info": {
                "source": "PULL_FROM_URL",
                "video_url": "http://127.0.0.1:8000/media/clip.mp4",
            }
        },
    )
    settings.TIKTOK_SANDBOX = False
    # when
    sandbox_advance_task()
    # then
    result.publish.refresh_from_db()
    assert result.publish.status == "PROCESSING_DOWNLOAD"


@pytest.mark.django_db
def test_ensure_defaults_is_idempotent() -> None:
    # when
    first = sandbox_ensure_defaults()
    second = sandbox_ensure_defaults()
    # then
    assert [creator.pk for creator in first] == [creator.pk for creator in second]
    assert SandboxCreator.objects.count() == 3
    assert SandboxSettings.objects.count() == 1


@pytest.mark.django_db
def test_fault_added_from_the_admin(admin_client: Client) -> None:
    # when: "fail chunk 3 with 500 once"
    response = admin_client.post(
        reverse("admin:tiktok_sandbox_sandboxfault_add"),
        {
            "endpoint": "upload",
            "chunk_number": "3",
            "action": "respond",
            "http_status": "500",
            "error_code": "internal_error",
            "remaining": "1",
        },
    )
    # then
    assert response.status_code == 302
    fault = SandboxFault.objects.get()
    assert (fault.chunk_number, fault.http_status, fault.remaining) == (3, 500, 1)


@pytest.mark.django_db
def test_incoherent_fault_is_refused_by_the_admin_form(admin_client: Client) -> None:
    # when: answering an error needs an HTTP status
    response = admin_client.post(
        reverse("admin:tiktok_sandbox_sandboxfault_add"),
        {"endpoint": "video_init", "action": "respond", "remaining": "1"},
    )
    # then
    assert response.status_code == 200
    assert not SandboxFault.objects.exists()


@pytest.mark.django_db
def test_change_pages_render(admin_client: Client) -> None:
    # given
    creator, *_ = sandbox_ensure_defaults()
    result = sandbox_init_inbox_video(
        creator=creator,
        body={
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": 10,
                "chunk_size": 10,
                "total_chunk_count": 1,
            }
        },
    )
    urls = [
        reverse("admin:tiktok_sandbox_sandboxpublish_change", args=[result.publish.pk]),
        reverse("admin:tiktok_sandbox_sandboxcreator_change", args=[creator.pk]),
        reverse("admin:tiktok_sandbox_sandboxcreator_add"),
        reverse("admin:tiktok_sandbox_sandboxvideo_add"),
    ]
    # when
    pages = [admin_client.get(url) for url in urls]
    # then
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert "upload_token" not in pages[0].content.decode()


@pytest.mark.django_db
def test_settings_saved_from_the_admin(admin_client: Client) -> None:
    # given
    sandbox_ensure_defaults()
    url = reverse("admin:tiktok_sandbox_sandboxsettings_change", args=[1])
    form = {
        "is_audited": "",
        "access_token_ttl": "60",
        "refresh_token_ttl": "600",
        "oauth_error_http_status": "400",
        "processing_delay_seconds": "1",
        "moderation_delay_seconds": "2",
        "verified_url_prefixes": '["https://cdn.example.com/"]',
        "is_own_media_url_verified": "on",
        "fetches_pulled_media": "on",
        "webhooks_enabled": "on",
        "webhook_url": "",
        "hang_seconds": "5",
    }
    # when
    response = admin_client.post(url, form)
    # then
    row = SandboxSettings.objects.get()
    assert response.status_code == 302
    assert row.is_audited is False
    assert row.access_token_ttl == 60
    assert row.verified_url_prefixes == ["https://cdn.example.com/"]
