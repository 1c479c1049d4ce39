"""A lost init answer: re-sent for FILE_UPLOAD, never for a pull from URL.

A 5xx answer to a pull or photo init counts as lost: TikTok had the request.

TikTok starts pulling (and may publish) the moment it accepts a PULL_FROM_URL
init, video or photos; an init whose answer was lost may therefore already be
on its way to the profile, and sending it again could post twice. Such a job
waits in Needs review (docs/reliability.md §4). A FILE_UPLOAD init is harmless
to repeat: nothing is published until the final chunk reaches a URL we hold.
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from typing import Any, cast

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.models import PostMedia
from media_library.models import MediaAsset, VerifiedUrlPrefix
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory
from tests.tiktok_integration.publishing.conftest import (
    SimulatedCrashError,
    drive,
    expire_leases,
    scheduled_job,
)
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxFault
from tiktok_sandbox.selectors import sandbox_completed_publish_count
from tiktok_sandbox.services import sandbox_fault_add

Status = PublishJob.Status
PULL = PublishJob.Source.PULL_FROM_URL
FILE = PublishJob.Source.FILE_UPLOAD

# The ways an init's answer gets lost: TikTok acted and the connection dropped,
# or a gateway gave up waiting (Postdeck cannot tell whether TikTok acted).
LOST = {
    "dropped after acting": {"action": SandboxFault.Action.DROP_AFTER_ACTING},
    "gateway timeout (504)": {
        "action": SandboxFault.Action.RESPOND,
        "http_status": 504,
        "error_code": "gateway_timeout",
    },
}
# TikTok had the request and answered 5xx; it may have acted all the same
# (RELIABILITY.md §2.2), and Postdeck cannot tell which.
FAILED_5XX = {
    "acted, then answered 500": {
        "action": SandboxFault.Action.RESPOND_AFTER_ACTING,
        "http_status": 500,
    },
    "answered 503 without acting": {
        "action": SandboxFault.Action.RESPOND,
        "http_status": 503,
    },
}
UNKNOWN = LOST | FAILED_5XX


@pytest.fixture
def verified_media(settings: Any) -> None:
    # Media served from an https CDN whose prefix is verified with TikTok; the
    # sandbox treats Postdeck's own media URL as verified too.
    settings.MEDIA_URL = "https://cdn.example.com/media/"
    VerifiedUrlPrefix.objects.create(prefix=settings.MEDIA_URL)


def photo_job(account: TikTokAccount) -> PublishJob:
    post = PostFactory(workspace=account.workspace, caption="Photos")
    for position in range(2):
        payload = os.urandom(2048)
        asset = MediaAsset.objects.create(
            workspace=account.workspace,
            kind=MediaAsset.Kind.PHOTO,
            original_filename=f"photo{position}.jpg",
            file=ContentFile(payload, name=f"photo{position}.jpg"),
            sha256=hashlib.sha256(payload).hexdigest(),
            size_bytes=len(payload),
            mime_type="image/jpeg",
            width=1080,
            height=1920,
            is_tiktok_ready=True,
        )
        PostMedia.objects.create(post=post, asset=asset, position=position)
    return cast(
        PublishJob,
        PublishJobFactory(
            post=post,
            account=account,
            privacy_level="SELF_ONLY",
            photo_title="Two photos",
            scheduled_at=post.created_at,
        ),
    )


def inits(endpoint: str) -> int:
    """Init requests that reached TikTok, whether it acted on them or not."""
    return SandboxCall.objects.filter(endpoint=endpoint).count()


def assert_held_for_review(job: PublishJob) -> None:
    job.refresh_from_db()
    assert job.status == Status.NEEDS_REVIEW, job.failure_message
    assert "may or may not have started this post" in job.failure_message
    assert "Reconcile" in job.failure_message
    assert job.orphan_publish_ids == []


@pytest.mark.parametrize("fault", UNKNOWN.values(), ids=UNKNOWN.keys())
def test_a_lost_pull_video_init_goes_to_review_not_sent_again(
    account, verified_media, fault
):
    # given TikTok accepts the pull and starts on it, but its answer is lost
    sandbox_fault_add(endpoint=Endpoint.VIDEO_INIT, **fault)
    job = scheduled_job(account, source=PULL)
    # when
    drive()
    # then one init only: a second could publish the video twice
    assert_held_for_review(job)
    assert inits(Endpoint.VIDEO_INIT) == 1


@pytest.mark.parametrize("fault", UNKNOWN.values(), ids=UNKNOWN.keys())
def test_a_lost_photo_init_goes_to_review_not_sent_again(
    account, verified_media, fault
):
    sandbox_fault_add(endpoint=Endpoint.CONTENT_INIT, **fault)
    job = photo_job(account)
    drive()
    assert_held_for_review(job)
    assert inits(Endpoint.CONTENT_INIT) == 1


def test_a_worker_that_died_after_a_pull_init_leaves_it_for_review(
    account, verified_media, crash_at
):
    # given the worker dies with TikTok's answer in hand, before storing it
    job = scheduled_job(account, source=PULL)
    crash_at("after_init_response")
    claim = publish_dispatch_tick()[0]
    with pytest.raises(SimulatedCrashError):
        publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    expire_leases()
    # when the job is picked up again
    drive()
    # then the next worker does not know whether TikTok started: review
    assert_held_for_review(job)
    assert inits(Endpoint.VIDEO_INIT) == 1


@pytest.mark.parametrize("fault", LOST.values(), ids=LOST.keys())
def test_a_lost_file_upload_init_is_sent_again_and_published_once(account, fault):
    # given the same lost answer for a FILE_UPLOAD video
    sandbox_fault_add(endpoint=Endpoint.VIDEO_INIT, **fault)
    job = scheduled_job(account, source=FILE)
    # when
    drive()
    # then a second init, the first one's publish_id kept as an orphan
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert inits(Endpoint.VIDEO_INIT) == 2
    assert len(job.orphan_publish_ids) == 1
    assert sandbox_completed_publish_count() == 1


def test_a_500_after_a_file_upload_init_is_retried_and_published_once(account):
    # given TikTok makes the upload, then answers the init with a 500
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, **FAILED_5XX["acted, then answered 500"]
    )
    job = scheduled_job(account, source=FILE)
    drive()
    # then a temporary failure: parked, not held for a person
    job.refresh_from_db()
    assert job.status == Status.INIT_PENDING, job.failure_message
    assert job.lease_owner == "" and job.next_action_at is not None
    # when its backoff has passed
    PublishJob.objects.filter(pk=job.pk).update(
        next_action_at=timezone.now() - timedelta(minutes=5)
    )
    drive()
    # then sent again and published once: the first upload never got a byte
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert inits(Endpoint.VIDEO_INIT) == 2
    assert sandbox_completed_publish_count() == 1
