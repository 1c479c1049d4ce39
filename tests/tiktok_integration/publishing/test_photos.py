"""Photo posts reach TikTok by PULL_FROM_URL from Postdeck's own /tiktok-media/
links (docs/tiktok.md §4.5, §4.7): the sandbox downloads every photo over HTTP
from the live server, and a link stops working once its post is done."""

from __future__ import annotations

import hashlib
import os
from typing import Any, cast

import requests
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.models import Post, PostMedia
from media_library.models import MediaAsset
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory
from tests.tiktok_integration.publishing.conftest import drive
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_sandbox.models import SandboxPublish

Status = PublishJob.Status


def photo_asset(workspace: Any, name: str, size: int = 40_000) -> MediaAsset:
    payload = os.urandom(size)
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.PHOTO,
        original_filename=name,
        file=ContentFile(payload, name=name),
        sha256=hashlib.sha256(payload).hexdigest(),
        size_bytes=size,
        mime_type="image/jpeg",
        width=1080,
        height=1350,
        is_tiktok_ready=True,
    )


def photo_job(account: TikTokAccount, count: int = 3, **fields: Any) -> PublishJob:
    post = cast(Post, PostFactory(workspace=account.workspace, caption="Three"))
    for position in range(count):
        asset = photo_asset(account.workspace, f"photo{position}.jpg")
        PostMedia.objects.create(post=post, asset=asset, position=position)
    fields.setdefault("privacy_level", "SELF_ONLY")
    fields.setdefault("scheduled_at", timezone.now())
    return cast(PublishJob, PublishJobFactory(post=post, account=account, **fields))


def photo_bytes(job: PublishJob) -> bytes:
    links = PostMedia.objects.filter(post_id=job.post_id).order_by("position")
    return b"".join(link.asset.file.open("rb").read() for link in links)


def test_a_three_photo_post_is_pulled_from_postdeck_and_published(account):
    # given a 3-photo post due now, in sandbox mode (no prefix registered)
    job = photo_job(account, photo_cover_index=1)
    # when
    drive()
    # then TikTok (the sandbox) pulled every photo from /tiktok-media/ and got
    # exactly the stored bytes
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert job.source == PublishJob.Source.PULL_FROM_URL
    publish = SandboxPublish.objects.get(publish_id=job.publish_id)
    urls = publish.source_info["photo_images"]
    assert len(urls) == 3
    assert all("/tiktok-media/" in url for url in urls)
    assert publish.source_info["photo_cover_index"] == 1
    expected = photo_bytes(job)
    assert publish.downloaded_bytes == len(expected)
    assert publish.received_sha256 == hashlib.sha256(expected).hexdigest()


def test_the_links_refuse_once_the_post_is_done(account):
    # given a published photo post
    job = photo_job(account, count=2)
    drive()
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    urls = SandboxPublish.objects.get(publish_id=job.publish_id).source_info[
        "photo_images"
    ]
    # when TikTok (or anyone) asks again
    answers = [requests.get(url, timeout=5, allow_redirects=False) for url in urls]
    # then
    assert [answer.status_code for answer in answers] == [404, 404]
