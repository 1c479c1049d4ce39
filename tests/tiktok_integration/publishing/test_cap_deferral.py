"""When TikTok's caps defer a post: it keeps its planned time, the job says
when Postdeck tries next and why, and the workspace's policy chooses between
retrying by itself and waiting for staff (docs/queues.md).

Driven against the sandbox over HTTP: its per-creator daily cap and its
pending-inbox limit refuse for real; the app's creator cap is TikTok's answer
injected on init.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories.workspaces import MembershipFactory, StaffUserFactory
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.selectors import cap_deferrals_between
from tiktok_integration.services.reschedule import post_reschedule
from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault
from tiktok_sandbox.selectors import sandbox_init_count
from tiktok_sandbox.services import sandbox_creator_update, sandbox_fault_add
from workspaces.models import Workspace

Status = PublishJob.Status
Reason = PublishJob.DeferralReason
WAIT = Workspace.CapDeferral.WAIT_FOR_STAFF


def _policy(account: TikTokAccount, policy: str) -> None:
    Workspace.objects.filter(pk=account.workspace_id).update(cap_deferral_policy=policy)


def _published_one(account: TikTokAccount) -> PublishJob:
    first = scheduled_job(account)
    drive()
    first.refresh_from_db()
    assert first.status == Status.PUBLISHED
    return first


def _hit_daily_cap(
    account: TikTokAccount, creator: SandboxCreator, settings: object
) -> tuple[PublishJob, PublishJob]:
    # TikTok's own count says one a day for this creator; Postdeck's estimate
    # (15) does not see it coming, so it is TikTok's refusal that defers.
    sandbox_creator_update(creator=creator, daily_post_cap=1)
    first = _published_one(account)
    planned = timezone.now() - timedelta(seconds=1)
    second = scheduled_job(account, scheduled_at=planned)
    drive(rounds=1)
    second.refresh_from_db()
    return first, second


def test_daily_cap_keeps_the_planned_time_and_retries_a_day_after_the_oldest_post(
    account, public_creator, settings
):
    # given the creator already posted once today and TikTok allows one a day,
    # when the second post's time comes
    first, second = _hit_daily_cap(account, public_creator, settings)
    # then it is deferred, not moved: TikTok counts 24 rolling hours (§6)
    assert second.status == Status.SCHEDULED
    assert second.deferred_reason == Reason.DAILY_CAP
    assert second.scheduled_at < timezone.now()
    assert first.processing_at is not None
    assert second.deferred_until == first.processing_at + timedelta(hours=24)
    local = second.deferred_until.astimezone(ZoneInfo(account.workspace.time_zone))
    assert f"tries again at {local.day} {local:%b %Y, %H:%M}" in second.failure_message
    assert "tomorrow" not in second.failure_message
    assert second.attempt_count == 0
    # and the dispatcher leaves it alone until the next try
    assert publish_dispatch_tick() == []


def test_a_deferred_job_goes_at_its_next_try(account, public_creator, settings):
    # given a job the daily cap deferred, and TikTok's cap freed up meanwhile
    _, second = _hit_daily_cap(account, public_creator, settings)
    sandbox_creator_update(creator=public_creator, daily_post_cap=15)
    planned = second.scheduled_at
    PublishJob.objects.filter(pk=second.pk).update(
        deferred_until=timezone.now() - timedelta(seconds=1)
    )
    # when
    drive()
    # then it went out, still showing the time it was planned for
    second.refresh_from_db()
    assert second.status == Status.PUBLISHED
    assert second.scheduled_at == planned


def test_daily_cap_with_wait_for_staff_holds_until_rescheduled(
    account, public_creator, settings
):
    # given the workspace waits for staff when a cap defers a post
    _policy(account, WAIT)
    _, second = _hit_daily_cap(account, public_creator, settings)
    # then it waits in a state that asks for a person, with no automatic try
    assert second.status == Status.NEEDS_CONFIRMATION
    assert second.deferred_reason == Reason.DAILY_CAP
    assert second.deferred_until is None
    assert "pick a new time" in second.failure_message
    assert publish_dispatch_tick() == []
    # when staff give the post a new time
    user = StaffUserFactory()
    MembershipFactory(user=user, workspace=account.workspace)
    zone = account.workspace.time_zone
    new_time = (timezone.now() + timedelta(days=2)).astimezone(
        ZoneInfo(account.workspace.time_zone)
    )
    post_reschedule(
        post_id=second.post_id,
        wall_time=new_time.replace(tzinfo=None, second=0, microsecond=0),
        time_zone=zone,
        fold=None,
        user_id=user.pk,
    )
    # then it is back on the schedule at that time, the deferral cleared
    second.refresh_from_db()
    assert second.status == Status.SCHEDULED
    assert second.deferred_reason == "" and second.deferred_until is None
    assert second.failure_message == ""
    assert second.scheduled_at == new_time.replace(second=0, microsecond=0)


def _six_drafts(account: TikTokAccount) -> PublishJob:
    for _ in range(5):
        scheduled_job(account, mode=PublishJob.Mode.DRAFT, privacy_level="")
    drive()
    sent = PublishJob.objects.filter(account=account, status=Status.SENT_TO_INBOX)
    assert sent.count() == 5
    sixth = scheduled_job(account, mode=PublishJob.Mode.DRAFT, privacy_level="")
    drive(rounds=1)
    sixth.refresh_from_db()
    return sixth


@pytest.mark.parametrize("policy", [Workspace.CapDeferral.RETRY, WAIT])
def test_pending_inbox_limit_defers_by_policy(account, settings, policy):
    # given five drafts wait in the creator's inbox (TikTok's limit, §6)
    settings.TIKTOK_PENDING_SHARE_CAP = 99  # let TikTok itself refuse
    _policy(account, policy)
    # when a sixth draft's time comes
    before = timezone.now()
    sixth = _six_drafts(account)
    # then
    assert sixth.deferred_reason == Reason.INBOX_CAP
    assert sixth.scheduled_at < timezone.now()
    assert "5 drafts waiting" in sixth.failure_message
    if policy == WAIT:
        assert sixth.status == Status.NEEDS_CONFIRMATION
        assert sixth.deferred_until is None
    else:
        # the creator may clear their inbox at any moment: look again hourly
        assert sixth.status == Status.SCHEDULED
        assert sixth.deferred_until is not None
        assert before + timedelta(minutes=59) < sixth.deferred_until
        assert sixth.deferred_until <= timezone.now() + timedelta(hours=1)
        assert "every hour" in sixth.failure_message


@pytest.mark.parametrize("policy", [Workspace.CapDeferral.RETRY, WAIT])
def test_app_creator_cap_defers_by_policy(account, policy):
    # given TikTok says the app reached its daily creator cap
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT,
        action=SandboxFault.Action.RESPOND,
        http_status=403,
        error_code="reached_active_user_cap",
    )
    _policy(account, policy)
    job = scheduled_job(account)
    # when
    drive(rounds=1)
    # then
    job.refresh_from_db()
    assert job.deferred_reason == Reason.APP_CAP
    assert "app's daily creator cap" in job.failure_message
    assert sandbox_init_count() == 0
    if policy == WAIT:
        assert job.status == Status.NEEDS_CONFIRMATION
        assert job.deferred_until is None
    else:
        assert job.status == Status.SCHEDULED
        assert job.deferred_until is not None
        assert job.deferred_until - timezone.now() > timedelta(minutes=59)
        assert "every hour" in job.failure_message


def test_the_calendar_selector_shows_a_deferred_post_at_both_times(
    account, public_creator, settings
):
    # given a post the daily cap deferred, and one a cap held for staff
    _, second = _hit_daily_cap(account, public_creator, settings)
    held = scheduled_job(account, scheduled_at=timezone.now() + timedelta(hours=3))
    PublishJob.objects.filter(pk=held.pk).update(
        status=Status.NEEDS_CONFIRMATION, deferred_reason=Reason.APP_CAP
    )
    start = timezone.now() - timedelta(days=1)
    # when
    entries = cap_deferrals_between(
        workspace_ids={account.workspace_id}, start=start, end=start + timedelta(days=3)
    )
    # then
    assert [(e.job_id, e.held) for e in entries] == [
        (second.pk, False),
        (held.pk, True),
    ]
    deferred = entries[0]
    assert deferred.planned_at == second.scheduled_at
    assert deferred.next_try_at == second.deferred_until
    assert deferred.reason_label == "The creator's daily post cap"
    assert entries[1].next_try_at is None
    # and another workspace sees none of them
    assert cap_deferrals_between(workspace_ids=set(), start=start, end=_far()) == []


def _far() -> datetime:
    return timezone.now() + timedelta(days=30)
