from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.services.jobs import (
    InvalidTransitionError,
    publish_job_transition,
)

pytestmark = pytest.mark.django_db
Status = PublishJob.Status


def test_transition_sets_state_and_its_timestamp():
    # given
    job = PublishJobFactory()
    # when
    publish_job_transition(publish_job_id=job.pk, to=Status.CLAIMED, lease_version=0)
    # then
    job.refresh_from_db()
    assert job.status == Status.CLAIMED
    assert job.claimed_at is not None


def test_transition_from_a_state_not_allowed_changes_nothing():
    # given a published job
    job = PublishJobFactory(status=Status.PUBLISHED)
    # when / then
    with pytest.raises(InvalidTransitionError):
        publish_job_transition(publish_job_id=job.pk, to=Status.CLAIMED)
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED


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
