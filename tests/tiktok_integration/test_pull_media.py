"""The /tiktok-media/ links: served without login, only for the post they were
made for and only while it is in flight, with ranges (docs/tiktok.md §4.7)."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client

from cms.models import Post, PostMedia
from media_library.models import MediaAsset
from tests.factories.cms import PostFactory, schedule
from tests.factories.media import VerifiedUrlPrefixFactory
from tests.factories.tiktok import PublishJobFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.pull_media.links import asset_pull_url, pull_media_link
from tiktok_integration.pull_media.readiness import pull_media_readiness

pytestmark = pytest.mark.django_db
Status = PublishJob.Status


def asset_with(workspace: Any, payload: bytes, mime: str = "image/jpeg") -> MediaAsset:
    kind = MediaAsset.Kind.PHOTO if mime.startswith("image/") else MediaAsset.Kind.VIDEO
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=kind,
        original_filename="p.jpg",
        file=ContentFile(payload, name="p.jpg" if kind == "photo" else "v.mp4"),
        sha256=hashlib.sha256(payload).hexdigest(),
        size_bytes=len(payload),
        mime_type=mime,
        width=1080,
        height=1080,
        is_tiktok_ready=True,
    )


def job_with(
    payload: bytes, status: str = Status.PROCESSING
) -> tuple[PublishJob, MediaAsset]:
    post = cast(Post, PostFactory())
    asset = asset_with(post.workspace, payload)
    PostMedia.objects.create(post=post, asset=asset, position=0)
    job = cast(PublishJob, PublishJobFactory(post=post, status=status))
    return job, asset


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_link_streams_the_file_to_anyone_while_the_post_is_in_flight():
    payload = os.urandom(100_000)
    job, asset = job_with(payload)
    url = pull_media_link(job_id=job.pk, asset=asset, position=0)

    whole = Client().get(path_of(url))
    part = Client().get(path_of(url), HTTP_RANGE="bytes=10-19")

    assert whole.status_code == 200
    assert whole["Content-Type"] == "image/jpeg"
    assert whole["Content-Length"] == str(len(payload))
    assert b"".join(whole.streaming_content) == payload
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-19/{len(payload)}"
    assert part["Content-Length"] == "10"
    assert b"".join(part.streaming_content) == payload[10:20]


@pytest.mark.parametrize(
    "status", [Status.PUBLISHED, Status.FAILED, Status.CANCELLED, Status.SCHEDULED]
)
def test_a_link_refuses_when_the_post_is_not_in_flight(status):
    job, asset = job_with(b"x" * 100, status=status)
    url = pull_media_link(job_id=job.pk, asset=asset, position=0)
    assert Client().get(path_of(url)).status_code == 404


def test_a_link_refuses_for_another_post_and_when_tampered_with():
    job, own_asset = job_with(b"mine")
    _other_job, other_asset = job_with(b"someone else's")
    foreign = pull_media_link(job_id=job.pk, asset=other_asset, position=0)
    own = path_of(pull_media_link(job_id=job.pk, asset=own_asset, position=0))
    token = own.split("/")[2]
    tampered = own.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    assert Client().get(path_of(foreign)).status_code == 404
    assert Client().get(tampered).status_code == 404
    assert Client().get(own).status_code == 200


def test_a_link_expires(settings):
    settings.TIKTOK_PULL_MEDIA_SECONDS = 3600
    job, asset = job_with(b"soon gone")
    url = path_of(pull_media_link(job_id=job.pk, asset=asset, position=0))
    with time_machine.travel(timedelta(hours=2), tick=False):
        later = Client().get(url)
    assert later.status_code == 404


def test_photos_need_a_verified_prefix_outside_sandbox_mode(settings):
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    job, asset = job_with(b"p")

    before = pull_media_readiness()
    VerifiedUrlPrefixFactory(prefix="https://postdeck.example.com/tiktok-media/")
    after = pull_media_readiness()

    assert not before.ready
    assert any("https://postdeck.example.com/tiktok-media/" in s for s in before.steps)
    assert after.ready and after.steps == []
    url = asset_pull_url(job_id=job.pk, asset=asset, position=0, photo=True)
    assert url is not None
    assert url.startswith("https://postdeck.example.com/tiktok-media/")


def test_a_video_is_uploaded_unless_the_prefix_is_registered(settings):
    settings.TIKTOK_SANDBOX = True
    settings.BASE_URL = "https://postdeck.example.com"
    post = cast(Post, PostFactory())
    video = asset_with(post.workspace, b"v" * 10, mime="video/mp4")

    unregistered = asset_pull_url(job_id=1, asset=video, position=0, photo=False)
    VerifiedUrlPrefixFactory(prefix="https://postdeck.example.com/tiktok-media/")
    registered = asset_pull_url(job_id=1, asset=video, position=0, photo=False)

    assert unregistered is None
    assert registered is not None and registered.endswith("/1.mp4")


def test_readiness_asks_for_https_when_the_address_is_local(settings):
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "http://127.0.0.1:8000"
    readiness = pull_media_readiness()
    assert not readiness.ready
    assert "https://" in readiness.steps[0]


def test_a_photo_job_is_refused_until_a_prefix_is_verified(settings):
    # given production settings without a verified prefix and a creator who
    # may post (as TikTok said just now)
    from tiktok_integration.admin.job_forms import CreatorInfoCheck, PublishJobForm
    from tiktok_integration.composer import CreatorRules

    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    job, _asset = job_with(b"photo", status=Status.SCHEDULED)
    schedule(job.post, datetime(2030, 1, 1, 10, 0))  # noqa: DTZ001 (a wall time)
    PublishJob.objects.filter(pk=job.pk).delete()
    rules = CreatorRules.from_snapshot(
        {"nickname": "N", "privacy_level_options": ["SELF_ONLY"], "can_post": True}
    )
    data = {
        "post": job.post_id, "account": job.account_id,
        "scheduled_at": "2030-01-01 10:00", "mode": "direct",
        "source": "FILE_UPLOAD", "privacy_level": "SELF_ONLY",
        "photo_cover_index": 0,
    }  # fmt: skip
    PublishJobForm.creator_info_checks = {job.account_id: CreatorInfoCheck(rules)}
    try:
        # when staff schedule it, then once the prefix is registered
        refused = PublishJobForm(data=data)
        refused_ok = refused.is_valid()
        VerifiedUrlPrefixFactory(prefix="https://postdeck.example.com/tiktok-media/")
        accepted = PublishJobForm(data=data)
        accepted_ok = accepted.is_valid()
    finally:
        PublishJobForm.creator_info_checks = {}
    # then
    assert not refused_ok
    message = " ".join(refused.non_field_errors())
    assert "Photo posts need a URL prefix verified with TikTok first" in message
    assert "1. " in message and "Verified URL prefixes" in message
    assert accepted_ok, accepted.errors
