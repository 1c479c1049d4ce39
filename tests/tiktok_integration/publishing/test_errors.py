"""Every documented error code on init, chunk and status ends in the state the
classification table says (docs/reliability.md §5), with a sentence for staff."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.tiktok_integration.publishing.conftest import MB, drive, scheduled_job
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxFault
from tiktok_sandbox.selectors import (
    sandbox_completed_publish_count,
    sandbox_init_count,
)
from tiktok_sandbox.services import (
    sandbox_access_tokens_expire_all,
    sandbox_creator_update,
    sandbox_fault_add,
)

Status = PublishJob.Status
RESPOND = SandboxFault.Action.RESPOND


def run_once(job: PublishJob) -> str:
    claim = publish_dispatch_tick()[0]
    return publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)


@pytest.mark.parametrize(
    ("http_status", "code", "state"),
    [
        (400, "invalid_param", Status.FAILED),
        (403, "spam_risk_text", Status.FAILED),
        (403, "privacy_level_option_mismatch", Status.FAILED),
        (403, "unaudited_client_can_only_post_to_private_accounts", Status.FAILED),
        (403, "url_ownership_unverified", Status.FAILED),
        (403, "spam_risk_too_many_posts", Status.SCHEDULED),
        (403, "reached_active_user_cap", Status.SCHEDULED),
        (403, "spam_risk_user_banned_from_posting", Status.NEEDS_CONFIRMATION),
        (401, "scope_not_authorized", Status.PAUSED_REAUTH),
        (429, "rate_limit_exceeded", Status.INIT_PENDING),
        (500, "internal_error", Status.INIT_PENDING),
    ],
)
def test_init_error_codes(account, http_status, code, state):
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=RESPOND, http_status=http_status,
        error_code=code,
    )  # fmt: skip
    job = scheduled_job(account)
    # when
    run_once(job)
    # then
    job.refresh_from_db()
    assert job.status == state
    assert job.failure_message or state == Status.INIT_PENDING
    assert sandbox_init_count() == 0
    if state == Status.SCHEDULED:
        # A cap is not the job's fault: deferred, planned time kept, with the
        # attempt given back.
        assert job.deferred_until is not None
        assert job.deferred_until > timezone.now() > job.scheduled_at
        assert job.deferred_reason
        assert job.attempt_count == 0
    if state == Status.INIT_PENDING:
        # Parked, intent withdrawn: the next run inits without suspicion.
        assert job.lease_owner == "" and job.init_requested_at is None
        assert job.next_action_at is not None
        assert job.attempt_count == 1
    if state == Status.FAILED:
        assert "log id" in job.failure_message


def test_401_on_a_fresh_token_refreshes_once_then_publishes(account):
    # given the stored token was revoked upstream (the sandbox forgot it)
    sandbox_access_tokens_expire_all()
    job = scheduled_job(account)
    # when
    drive()
    # then
    job.refresh_from_db()
    account.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert account.token_version == 1
    assert SandboxCall.objects.filter(endpoint=Endpoint.OAUTH_TOKEN).count() == 1


def test_401_twice_pauses_for_reconnect(account):
    # given every creator_info says access_token_invalid
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=RESPOND, http_status=401,
        error_code="access_token_invalid", remaining=None,
    )  # fmt: skip
    job = scheduled_job(account)
    # when
    run_once(job)
    # then
    job.refresh_from_db()
    account.refresh_from_db()
    assert job.status == Status.PAUSED_REAUTH
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert SandboxCall.objects.filter(endpoint=Endpoint.CREATOR_INFO).count() == 2


@pytest.mark.parametrize(
    ("http_status", "expected"),
    [(500, Status.PUBLISHED), (404, Status.PUBLISHED), (403, Status.PUBLISHED)],
)
def test_chunk_errors_recover_without_a_second_publish(account, http_status, expected):
    # given chunk 2 of 3 fails once
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD, action=RESPOND, http_status=http_status,
        chunk_number=2,
    )  # fmt: skip
    job = scheduled_job(account, size=3 * 5 * MB)
    # when
    drive()
    # then 5xx: the same chunk again; 403/404: TikTok's status, then a new init
    job.refresh_from_db()
    assert job.status == expected, job.failure_message
    assert sandbox_completed_publish_count() == 1
    assert sandbox_init_count() == (1 if http_status >= 500 else 2)


@pytest.mark.parametrize(
    ("http_status", "code", "state"),
    [
        (500, "internal_error", Status.PROCESSING),
        (429, "rate_limit_exceeded", Status.PROCESSING),
        (400, "invalid_publish_id", Status.NEEDS_REVIEW),
        (400, "token_not_authorized_for_specified_publish_id", Status.NEEDS_REVIEW),
    ],
)
def test_status_error_codes(account, http_status, code, state):
    # given the upload went through and the status check fails
    job = scheduled_job(account)
    run_once(job)
    sandbox_fault_add(
        endpoint=Endpoint.STATUS_FETCH, action=RESPOND, http_status=http_status,
        error_code=code,
    )  # fmt: skip
    # when
    drive(rounds=1)
    # then
    job.refresh_from_db()
    assert job.status == state
    if state == Status.PROCESSING:
        assert job.next_action_at is not None and job.lease_owner == ""


@pytest.mark.parametrize(
    "reason", ["frame_rate_check_failed", "duration_check_failed", "spam_risk_text"]
)
def test_processing_failure_is_explained(account, reason):
    # given
    sandbox_fault_add(
        endpoint=Endpoint.PROCESSING, action=SandboxFault.Action.FAIL_PROCESSING,
        fail_reason=reason,
    )  # fmt: skip
    job = scheduled_job(account)
    # when
    drive()
    # then
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.fail_reason == reason
    assert "TikTok" in job.failure_message or "video" in job.failure_message


def test_a_privacy_no_longer_offered_pauses_for_confirmation(account, public_creator):
    # given staff chose "Everyone", then the creator made the account private
    job = scheduled_job(account, privacy_level="PUBLIC_TO_EVERYONE")
    sandbox_creator_update(creator=public_creator, is_private_account=True)
    # when
    drive()
    # then nothing was sent and staff are told why
    job.refresh_from_db()
    assert job.status == Status.NEEDS_CONFIRMATION
    assert "PUBLIC_TO_EVERYONE" in job.failure_message
    assert sandbox_init_count() == 0


def test_a_video_now_too_long_pauses_for_confirmation(account, public_creator):
    # given
    sandbox_creator_update(creator=public_creator, max_video_post_duration_sec=10)
    job = scheduled_job(account, duration=30.0)
    # when
    drive()
    # then
    job.refresh_from_db()
    assert job.status == Status.NEEDS_CONFIRMATION
    assert "at most 10 s" in job.failure_message


def test_daily_cap_is_anticipated_from_history(account, settings):
    # given the account already reached TikTok's daily cap through us
    settings.TIKTOK_DAILY_POST_CAP = 1
    earlier = scheduled_job(account)
    PublishJob.objects.filter(pk=earlier.pk).update(
        status=Status.PUBLISHED, processing_at=timezone.now()
    )
    job = scheduled_job(account)
    # when
    drive(rounds=1)
    # then
    job.refresh_from_db()
    assert job.status == Status.SCHEDULED
    assert job.deferred_until is not None
    assert job.deferred_until > timezone.now() > job.scheduled_at
    assert "daily post cap" in job.failure_message
    assert sandbox_init_count() == 0
