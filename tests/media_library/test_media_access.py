"""Files under /media/ only for signed-in members of the asset's workspace."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import clear_url_caches, reverse

import config.urls
from tests.factories.media import MediaAssetFactory
from tests.factories.workspaces import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
BYTES = b"bytes of clip.mp4"


@pytest.fixture
def asset(workspace):
    asset = MediaAssetFactory(
        workspace=workspace, original_filename="clip.mp4", file=None
    )
    asset.file.save("clip.mp4", ContentFile(BYTES))
    asset.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 jpeg"))
    return asset


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_member_gets_the_file_with_its_type(staff_client, asset):
    # when
    response = staff_client.get(asset.file.url)
    # then
    assert asset.file.url.startswith("/media/workspaces/")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=300"
    assert body(response) == BYTES


def test_a_thumbnail_is_served_as_jpeg(staff_client, asset):
    # when
    response = staff_client.get(asset.thumbnail.url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_a_byte_range_is_answered_so_videos_seek(staff_client, asset):
    # when
    response = staff_client.get(asset.file.url, HTTP_RANGE="bytes=6-7")
    # then
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 6-7/{len(BYTES)}"
    assert body(response) == BYTES[6:8]


def test_a_range_past_the_end_is_refused(staff_client, asset):
    # when
    response = staff_client.get(asset.file.url, HTTP_RANGE="bytes=999-")
    # then
    assert response.status_code == 416


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def urls_built_with_debug(request, settings):
    """The project's URLs as `make run` (DEBUG on) or production builds them,
    with files on local disk under MEDIA_ROOT as `make run` keeps them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT), "base_url": "/media/"},
        },
    }
    settings.DEBUG = request.param
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_anonymous_visitors_get_404(client, urls_built_with_debug, asset):
    # when
    file = client.get(asset.file.url)
    thumbnail = client.get(asset.thumbnail.url)
    # then
    assert file.status_code == 404
    assert thumbnail.status_code == 404


def test_staff_of_another_workspace_get_404(asset):
    # given
    outsider = Client()
    outsider.force_login(MembershipFactory().user)
    # when
    file = outsider.get(asset.file.url)
    thumbnail = outsider.get(asset.thumbnail.url)
    # then
    assert file.status_code == 404
    assert thumbnail.status_code == 404


def test_a_signed_in_non_staff_user_gets_404(client, asset):
    # given
    client.force_login(UserFactory())
    # when
    response = client.get(asset.file.url)
    # then
    assert response.status_code == 404


def test_a_superuser_gets_any_workspace_file(admin_client, asset):
    # when
    response = admin_client.get(asset.file.url)
    # then
    assert response.status_code == 200


def test_a_stored_name_no_asset_holds_is_404(admin_client):
    # when
    response = admin_client.get(
        reverse("media_library:file", args=["workspaces/1/media/unknown.mp4"])
    )
    # then
    assert response.status_code == 404
