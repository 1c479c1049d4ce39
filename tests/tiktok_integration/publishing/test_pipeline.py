from __future__ import annotations

from django.conf import settings

from tests.tiktok_integration.publishing.conftest import MB, drive, scheduled_job
from tiktok_integration.models import PublishAttempt, PublishJob
from tiktok_sandbox.selectors import (
    sandbox_call_count,
    sandbox_completed_publish_count,
    sandbox_init_count,
)

Status = PublishJob.Status


def test_a_due_video_goes_through_every_state_to_published(account):
    # given a public post due now
    job = scheduled_job(account, privacy_level="PUBLIC_TO_EVERYONE", size=12 * MB)
    # when
    drive()
    # then
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert job.claimed_at and job.uploading_at and job.processing_at
    assert job.init_requested_at and job.final_chunk_sent_at
    assert job.tiktok_post_ids and job.public_url.endswith(job.tiktok_post_ids[0])
    assert job.public_url.startswith(settings.TIKTOK_WEB_URL)
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1
    assert sandbox_call_count(endpoint="upload") == 2
    endpoints = set(
        PublishAttempt.objects.filter(job=job).values_list("endpoint", flat=True)
    )
    assert {"creator_info", "video_init", "upload_chunk", "status_fetch"} <= endpoints
