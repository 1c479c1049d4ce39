from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.transitions import (
    ALLOWED_SOURCES,
    STATE_TIMESTAMP,
    InvalidTransitionError,
    publish_job_claim,
    publish_job_create,
    publish_job_save_edit,
    publish_job_transition,
    publish_job_unclaim,
    publish_jobs_pause_for_account,
    publish_jobs_resume_for_account,
    publish_jobs_transition,
)

pytestmark = pytest.mark.django_db
Status = PublishJob.Status

ALLOWED_MOVES = sorted(
    (source, to) for to, sources in ALLOWED_SOURCES.items() for source in sources
)
REFUSED_MOVES = sorted(
    (source, to)
    for to, sources in ALLOWED_SOURCES.items()
    for source in Status.values
    if source not in sources
)


@pytest.mark.parametrize(("source", "to"), ALLOWED_MOVES)
def test_each_allowed_move_sets_the_state_and_its_timestamp(source, to):
    # given
    job = PublishJobFactory(status=source)
    # when
    publish_job_transition(publish_job_id=job.pk, to=to, failure_message="moved")
    # then
    job.refresh_from_db()
    assert job.status == to
    assert job.failure_message == "moved"
    if to in STATE_TIMESTAMP:
        assert getattr(job, STATE_TIMESTAMP[to]) is not None


@pytest.mark.parametrize(("source", "to"), REFUSED_MOVES)
def test_a_move_from_a_state_not_allowed_is_refused_and_changes_nothing(source, to):
    # given
    job = PublishJobFactory(status=source, failure_message="before")
    # when / then
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(publish_job_id=job.pk, to=to, failure_message="after")
    job.refresh_from_db()
    assert job.status == source
    assert job.failure_message == "before"


def test_every_state_has_a_rule():
    assert set(ALLOWED_SOURCES) == set(Status.values)
    assert ALLOWED_SOURCES[Status.CLAIMED] == {Status.SCHEDULED}


def test_a_move_changes_only_the_job_it_names():
    # given two scheduled jobs
    job, other = PublishJobFactory.create_batch(2, status=Status.SCHEDULED)
    # when one is cancelled
    publish_job_transition(publish_job_id=job.pk, to=Status.CANCELLED)
    # then the other is still on the schedule
    assert PublishJob.objects.get(pk=job.pk).status == Status.CANCELLED
    assert PublishJob.objects.get(pk=other.pk).status == Status.SCHEDULED


def test_a_refused_move_says_which_job_and_where_to():
    job = PublishJobFactory(status=Status.PUBLISHED)
    with pytest.raises(InvalidTransitionError) as refused:
        publish_job_transition(publish_job_id=job.pk, to=Status.UPLOADING)
    assert (refused.value.publish_job_id, refused.value.to) == (
        job.pk,
        Status.UPLOADING,
    )
    assert str(refused.value) == (
        f"Publish job {job.pk} cannot move to 'uploading' from its current state "
        "(or its lease was taken by another worker)."
    )


def test_a_move_is_refused_when_the_callers_own_condition_fails():
    # given an upload whose final chunk reached TikTok (cancel needs it not sent)
    job = PublishJobFactory(status=Status.UPLOADING, final_chunk_sent_at=timezone.now())
    # when / then
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.CANCELLED,
            require=Q(final_chunk_sent_at__isnull=True),
        )
    assert PublishJob.objects.get(pk=job.pk).status == Status.UPLOADING


def test_a_bulk_move_leaves_jobs_in_states_it_may_not_leave():
    # given an account with a published job and a scheduled one
    account = TikTokAccountFactory()
    published, scheduled = (
        PublishJobFactory(
            account=account, post=PostFactory(workspace=account.workspace), status=state
        )
        for state in (Status.PUBLISHED, Status.SCHEDULED)
    )
    # when all of the account's jobs are asked to go back on the schedule
    moved = publish_jobs_transition(
        to=Status.NEEDS_CONFIRMATION, where=Q(account_id=account.pk)
    )
    # then only the one allowed to moved
    assert moved == 1
    assert PublishJob.objects.get(pk=published.pk).status == Status.PUBLISHED
    assert PublishJob.objects.get(pk=scheduled.pk).status == Status.NEEDS_CONFIRMATION


def test_stale_lease_version_is_fenced_off():
    # given a job claimed again by another worker (lease version moved on)
    job = PublishJobFactory(status=Status.CLAIMED, lease_version=2)
    # when a worker holding version 1 tries to move it
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(
            publish_job_id=job.pk, to=Status.INIT_PENDING, lease_version=1
        )
    # then
    job.refresh_from_db()
    assert job.status == Status.CLAIMED
    assert job.init_requested_at is None


def test_a_lease_taken_by_another_worker_cannot_move_the_job():
    # given the same version, but the lease now belongs to another worker
    job = PublishJobFactory(
        status=Status.UPLOADING, lease_version=3, lease_owner="worker-b"
    )
    # when worker A ends its step
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.PROCESSING,
            lease_version=3,
            owner="worker-a",
        )
    # then
    job.refresh_from_db()
    assert job.status == Status.UPLOADING
    assert job.processing_at is None


def test_the_lease_holder_moves_the_job():
    job = PublishJobFactory(
        status=Status.UPLOADING, lease_version=3, lease_owner="worker-b"
    )
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.PROCESSING,
        lease_version=3,
        owner="worker-b",
        lease_owner="",
    )
    job.refresh_from_db()
    assert (job.status, job.lease_owner) == (Status.PROCESSING, "")


def test_a_claim_takes_a_new_lease_version_and_counts_an_attempt():
    job = PublishJobFactory(status=Status.SCHEDULED, lease_version=4, attempt_count=1)
    until = timezone.now() + timedelta(minutes=5)
    publish_job_claim(
        publish_job_id=job.pk, lease_owner="dispatched", lease_expires_at=until
    )
    job.refresh_from_db()
    assert (job.status, job.lease_version, job.attempt_count) == (
        Status.CLAIMED,
        5,
        2,
    )
    assert (job.lease_owner, job.lease_expires_at) == ("dispatched", until)
    assert job.claimed_at is not None


def test_an_unclaimed_job_goes_back_on_the_schedule_with_its_attempt_given_back():
    job = PublishJobFactory(
        status=Status.CLAIMED, lease_version=2, lease_owner="w", attempt_count=1
    )
    publish_job_unclaim(publish_job_id=job.pk, lease_version=2, owner="w")
    job.refresh_from_db()
    assert (job.status, job.lease_owner, job.attempt_count) == (Status.SCHEDULED, "", 0)


def test_a_claimed_job_whose_init_was_asked_is_never_unclaimed():
    # TikTok may have the request: putting it back on the schedule could post twice
    job = PublishJobFactory(
        status=Status.CLAIMED,
        lease_version=2,
        lease_owner="w",
        init_requested_at=timezone.now(),
    )
    with pytest.raises(InvalidTransitionError):
        publish_job_unclaim(publish_job_id=job.pk, lease_version=2, owner="w")
    job.refresh_from_db()
    assert job.status == Status.CLAIMED


def test_a_job_no_longer_scheduled_cannot_be_claimed():
    job = PublishJobFactory(status=Status.CANCELLED, lease_version=4)
    with pytest.raises(InvalidTransitionError):
        publish_job_claim(
            publish_job_id=job.pk,
            lease_owner="dispatched",
            lease_expires_at=timezone.now(),
        )
    job.refresh_from_db()
    assert (job.status, job.lease_version, job.lease_owner) == (
        Status.CANCELLED,
        4,
        "",
    )


def test_pausing_an_account_leaves_jobs_already_at_tiktok_alone():
    # given one account's jobs in several states, and another account's job
    account = TikTokAccountFactory()
    states = [
        Status.SCHEDULED,
        Status.NEEDS_CONFIRMATION,
        Status.CLAIMED,
        Status.PROCESSING,
        Status.PUBLISHED,
    ]
    jobs = {
        state: PublishJobFactory(
            account=account, post=PostFactory(workspace=account.workspace), status=state
        )
        for state in states
    }
    other = PublishJobFactory(status=Status.SCHEDULED)
    at = timezone.now() - timedelta(minutes=1)
    # when the account needs reconnecting
    paused = publish_jobs_pause_for_account(account_id=account.pk, at=at)
    # then its jobs not sent yet are paused at that time, nothing else
    assert paused == 3
    after = {state: PublishJob.objects.get(pk=job.pk) for state, job in jobs.items()}
    assert after[Status.SCHEDULED].status == Status.PAUSED_REAUTH
    assert after[Status.SCHEDULED].paused_at == at
    assert after[Status.SCHEDULED].updated_at == at
    assert after[Status.NEEDS_CONFIRMATION].status == Status.PAUSED_REAUTH
    assert after[Status.CLAIMED].status == Status.PAUSED_REAUTH
    assert after[Status.PROCESSING].status == Status.PROCESSING
    assert after[Status.PUBLISHED].status == Status.PUBLISHED
    assert PublishJob.objects.get(pk=other.pk).status == Status.SCHEDULED


def test_a_disconnect_pauses_only_jobs_not_claimed_yet():
    account = TikTokAccountFactory()
    waiting, claimed = (
        PublishJobFactory(
            account=account, post=PostFactory(workspace=account.workspace), status=state
        )
        for state in (Status.NEEDS_CONFIRMATION, Status.CLAIMED)
    )
    paused = publish_jobs_pause_for_account(
        account_id=account.pk, at=timezone.now(), on_disconnect=True
    )
    assert paused == 1
    assert PublishJob.objects.get(pk=waiting.pk).status == Status.PAUSED_REAUTH
    assert PublishJob.objects.get(pk=claimed.pk).status == Status.CLAIMED


def test_resuming_an_account_reschedules_only_its_paused_jobs():
    account = TikTokAccountFactory()
    paused = PublishJobFactory(account=account, status=Status.PAUSED_REAUTH)
    failed = PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace),
        status=Status.FAILED,
    )
    elsewhere = PublishJobFactory(status=Status.PAUSED_REAUTH)
    at = timezone.now() - timedelta(minutes=1)
    assert publish_jobs_resume_for_account(account_id=account.pk, at=at) == 1
    resumed = PublishJob.objects.get(pk=paused.pk)
    assert (resumed.status, resumed.updated_at) == (Status.SCHEDULED, at)
    assert PublishJob.objects.get(pk=failed.pk).status == Status.FAILED
    assert PublishJob.objects.get(pk=elsewhere.pk).status == Status.PAUSED_REAUTH


def test_a_new_job_held_for_confirmation_gets_its_timestamp():
    post = PostFactory()
    account = TikTokAccountFactory(workspace=post.workspace)
    job = publish_job_create(
        job=PublishJob(
            post=post,
            account=account,
            scheduled_at=timezone.now(),
            privacy_level=PublishJob.PrivacyLevel.SELF_ONLY,
        ),
        status=Status.NEEDS_CONFIRMATION,
        validate=False,
    )
    job.refresh_from_db()
    assert job.status == Status.NEEDS_CONFIRMATION
    assert job.needs_confirmation_at is not None


def test_a_new_job_keeps_a_hold_time_its_creator_gave():
    post = PostFactory()
    account = TikTokAccountFactory(workspace=post.workspace)
    held_at = timezone.now() - timedelta(hours=1)
    job = publish_job_create(
        job=PublishJob(
            post=post,
            account=account,
            scheduled_at=timezone.now(),
            privacy_level=PublishJob.PrivacyLevel.SELF_ONLY,
            needs_confirmation_at=held_at,
        ),
        status=Status.NEEDS_CONFIRMATION,
        validate=False,
    )
    job.refresh_from_db()
    assert job.needs_confirmation_at == held_at


def test_a_new_job_cannot_start_in_flight():
    post = PostFactory()
    account = TikTokAccountFactory(workspace=post.workspace)
    with pytest.raises(ValueError, match="cannot start"):
        publish_job_create(
            job=PublishJob(post=post, account=account, scheduled_at=timezone.now()),
            status=Status.UPLOADING,
            validate=False,
        )
    assert not PublishJob.objects.exists()


def test_saving_a_held_job_confirms_it_and_keeps_the_edit():
    # given a job held for confirmation, edited by staff
    job = PublishJobFactory(
        status=Status.NEEDS_CONFIRMATION, failure_message="Check the settings."
    )
    job.allow_comment = True
    # when
    with transaction.atomic():
        publish_job_save_edit(job=job, current=Status.NEEDS_CONFIRMATION)
    # then
    job.refresh_from_db()
    assert job.status == Status.SCHEDULED
    assert job.allow_comment is True
    assert job.failure_message == ""


def test_saving_a_scheduled_job_clears_an_old_message():
    job = PublishJobFactory(
        status=Status.SCHEDULED, failure_message="TikTok failed; retrying."
    )
    job.allow_comment = True
    publish_job_save_edit(job=job, current=Status.SCHEDULED)
    job.refresh_from_db()
    assert (job.status, job.allow_comment) == (Status.SCHEDULED, True)
    assert job.failure_message == ""


def test_confirming_a_job_cancelled_meanwhile_is_refused():
    # given staff's form read the job as held, but it was cancelled since
    job = PublishJobFactory(status=Status.CANCELLED)
    job.allow_comment = True
    # when / then: the confirmation does not bring it back
    with pytest.raises(InvalidTransitionError), transaction.atomic():
        publish_job_save_edit(job=job, current=Status.NEEDS_CONFIRMATION)
    assert PublishJob.objects.get(pk=job.pk).status == Status.CANCELLED


def test_saving_a_paused_job_keeps_it_paused():
    job = PublishJobFactory(status=Status.PAUSED_REAUTH, failure_message="Reconnect.")
    job.allow_duet = True
    publish_job_save_edit(job=job, current=Status.PAUSED_REAUTH)
    job.refresh_from_db()
    assert (job.status, job.allow_duet) == (Status.PAUSED_REAUTH, True)
    assert job.failure_message == "Reconnect."


def test_an_invalid_edit_is_not_saved():
    job = PublishJobFactory(status=Status.SCHEDULED)
    job.privacy_level = "NOT_A_LEVEL"  # type: ignore[assignment]
    with pytest.raises(ValidationError):
        publish_job_save_edit(job=job, current=Status.SCHEDULED)
    job.refresh_from_db()
    assert job.privacy_level == PublishJob.PrivacyLevel.SELF_ONLY


def test_only_one_job_per_account_can_be_in_flight():
    # given
    account = TikTokAccountFactory()
    PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace),
        status=Status.UPLOADING,
    )
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishJobFactory(
            account=account,
            post=PostFactory(workspace=account.workspace),
            status=Status.CLAIMED,
        )


def test_branded_content_cannot_be_private():
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishJobFactory(
            brand_content=True, privacy_level=PublishJob.PrivacyLevel.SELF_ONLY
        )
