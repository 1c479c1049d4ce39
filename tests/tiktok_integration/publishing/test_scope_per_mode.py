"""Each mode needs its own scope and nothing more (docs/tiktok.md §2): a draft
goes out with video.upload alone; a direct post without video.publish is held
with the reason, and the account is not marked for reconnecting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse

from tests.factories.cms import schedule
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.publishing.conftest import connect, drive, scheduled_job
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.services import sandbox_tokens_issue

Status = PublishJob.Status
UPLOAD_ONLY = ["user.info.basic", "video.upload"]


@pytest.fixture
def upload_only(public_creator: SandboxCreator) -> TikTokAccount:
    account = connect(public_creator)
    # Re-issue the tokens with video.upload only, as the creator granted them.
    tokens = sandbox_tokens_issue(creator=public_creator, scopes=UPLOAD_ONLY)
    account.access_token = tokens.access_token
    account.refresh_token = tokens.refresh_token
    account.granted_scopes = UPLOAD_ONLY
    account.save()
    return account


def test_a_draft_goes_to_the_inbox_with_video_upload_alone(upload_only):
    job = scheduled_job(upload_only, mode="draft", privacy_level="")
    drive()
    job.refresh_from_db()
    upload_only.refresh_from_db()
    assert job.status == Status.SENT_TO_INBOX, job.failure_message
    assert upload_only.status == TikTokAccount.Status.ACTIVE


def test_a_direct_post_without_video_publish_is_held_with_the_reason(upload_only):
    job = scheduled_job(upload_only, mode="direct")
    drive()
    job.refresh_from_db()
    upload_only.refresh_from_db()
    assert job.status == Status.NEEDS_CONFIRMATION
    assert "did not grant video.publish" in job.failure_message
    assert "send a draft instead" in job.failure_message
    # the account is not broken: its drafts still go out
    assert upload_only.status == TikTokAccount.Status.ACTIVE


def _job_form(post_id: int, account_id: int, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "post": post_id, "account": account_id, "mode": "draft",
        "source": "FILE_UPLOAD", "privacy_level": "", "photo_cover_index": 0,
        "attempts-TOTAL_FORMS": 0, "attempts-INITIAL_FORMS": 0,
    }  # fmt: skip
    values.update(fields)
    return values


def test_the_job_form_accepts_a_draft_and_refuses_direct_for_upload_only(
    upload_only, client
):
    client.force_login(MembershipFactory(workspace=upload_only.workspace).user)
    seed = scheduled_job(upload_only)
    post = schedule(seed.post, datetime(2030, 1, 1, 10, 0))  # noqa: DTZ001
    seed.delete()
    url = reverse("admin:tiktok_integration_publishjob_add")
    # a direct post is refused on the mode, with the scope named
    refused = client.post(url, _job_form(post.pk, upload_only.pk, mode="direct"))
    assert refused.status_code == 200
    assert b"did not grant video.publish" in refused.content
    # a draft with 'AI-generated' ticked and 'Everyone' is refused: TikTok
    # would receive neither
    extras = client.post(
        url,
        _job_form(
            post.pk, upload_only.pk, is_aigc="on", privacy_level="PUBLIC_TO_EVERYONE"
        ),
    )
    assert extras.status_code == 200
    assert b"carries no &#x27;AI-generated&#x27; label" in extras.content
    assert not PublishJob.objects.exists()
    # a plain draft is saved, at the post's time
    saved = client.post(url, _job_form(post.pk, upload_only.pk))
    assert saved.status_code == 302, saved.content[:2000]
    job = PublishJob.objects.get()
    assert (job.mode, job.scheduled_at) == ("draft", post.scheduled_at)
