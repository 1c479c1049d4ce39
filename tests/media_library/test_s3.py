"""The S3 path through django-storages, against moto's S3 server on loopback."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from media_library.models import MediaAsset, VerifiedUrlPrefix
from media_library.selectors import media_asset_pull_url
from media_library.services.assets import media_asset_create
from media_library.services.conversions import (
    media_conversion_request,
    media_conversion_run,
)
from media_library.services.probing import media_asset_probe

pytestmark = pytest.mark.django_db
BUCKET = "postdeck-media"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # The server logs every request at INFO; failures are clearer without it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings: Any) -> Any:
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "endpoint_url": s3_endpoint,
                "addressing_style": "path",
                "location": "media",
                "file_overwrite": False,
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"] for item in listing}


def create(workspace: Any, path: Path) -> MediaAsset:
    with path.open("rb") as handle:
        return media_asset_create(
            workspace_id=workspace.pk, file=handle, original_filename=path.name
        ).asset


def test_an_upload_lands_in_the_bucket_probed_with_previews(s3, workspace, valid_video):
    # when
    asset = create(workspace, valid_video)
    # then
    assert default_storage.__class__.__name__ == "S3Storage"
    assert keys(s3) == {
        f"media/{asset.file.name}",
        f"media/{asset.thumbnail.name}",
        f"media/{asset.cover_image.name}",
    }
    body = s3.get_object(Bucket=BUCKET, Key=f"media/{asset.file.name}")["Body"]
    assert body.read() == valid_video.read_bytes()
    assert asset.is_tiktok_ready
    assert "Signature=" in asset.file.url  # private bucket: signed URLs


def test_a_stored_file_is_probed_again_straight_from_the_bucket(
    s3, workspace, valid_video, django_capture_on_commit_callbacks
):
    # given
    asset = create(workspace, valid_video)
    MediaAsset.objects.filter(pk=asset.pk).update(width=None, is_tiktok_ready=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        media_asset_probe(asset_id=asset.pk)
    # then
    asset.refresh_from_db()
    assert asset.width == 360
    assert asset.is_tiktok_ready
    assert len(keys(s3)) == 3  # the old previews were replaced, not left behind


def test_import_media_stores_into_the_bucket(s3, workspace, photo_jpeg, tmp_path):
    # given
    report = tmp_path / "report.json"
    # when
    call_command(
        "import_media", "--workspace", workspace.slug, str(photo_jpeg),
        "--report", str(report), stdout=io.StringIO(),
    )  # fmt: skip
    # then
    asset = MediaAsset.objects.get()
    assert f"media/{asset.file.name}" in keys(s3)
    assert json.loads(report.read_text())["summary"]["imported"] == 1


def test_a_conversion_reads_and_writes_the_bucket(s3, workspace, photo_png):
    # given
    source = create(workspace, photo_png)
    conversion = media_conversion_request(asset_id=source.pk)
    # when
    done = media_conversion_run(conversion_id=conversion.pk)
    # then
    assert done.result is not None
    assert done.result.is_tiktok_ready
    assert f"media/{done.result.file.name}" in keys(s3)


def test_a_verified_cdn_domain_gives_a_pull_url(s3, workspace, photo_jpeg, settings):
    # given: the bucket is served through a CDN name verified at TikTok
    settings.STORAGES["default"]["OPTIONS"] |= {"custom_domain": "cdn.example.com"}
    settings.STORAGES = {**settings.STORAGES}
    asset = create(workspace, photo_jpeg)
    VerifiedUrlPrefix.objects.create(prefix="https://cdn.example.com/media/")
    # then
    assert media_asset_pull_url(asset) == (
        f"https://cdn.example.com/media/{asset.file.name}"
    )
