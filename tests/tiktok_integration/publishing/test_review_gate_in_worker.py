"""A post sent back to review after the dispatcher claimed its job is not
published: the worker checks the approval again before anything reaches
TikTok, and the job waits on the schedule for the new approval."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cms.models import Post
from cms.review.transitions import (
    Reviewer,
    post_after_compose,
    post_approve,
    post_content_edited,
)
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count, sandbox_init_count
from workspaces.models import Workspace, WorkspaceMembership

Status = PublishJob.Status


def _approved_job(account: TikTokAccount) -> tuple[PublishJob, object, object]:
    Workspace.objects.filter(pk=account.workspace_id).update(
        approval_policy=Workspace.ApprovalPolicy.INTERNAL
    )
    job = scheduled_job(account, scheduled_at=timezone.now() + timedelta(minutes=5))
    Post.objects.filter(pk=job.post_id).update(scheduled_at=job.scheduled_at)
    editor = MembershipFactory(workspace=account.workspace).user
    approver = MembershipFactory(
        workspace=account.workspace, role=WorkspaceMembership.Role.APPROVER
    ).user
    with transaction.atomic():  # as the composer calls it
        post_after_compose(post_id=job.post_id, user=editor, content_changed=True)
    post_approve(post_id=job.post_id, by=Reviewer.signed_in(approver))
    PublishJob.objects.filter(pk=job.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1)
    )
    return job, editor, approver


def test_a_post_sent_back_to_review_after_the_claim_is_not_sent(account):
    # given an approved post whose job the dispatcher has just claimed
    job, editor, _ = _approved_job(account)
    [claim] = publish_dispatch_tick()
    # when its caption is edited through the classic form before the worker runs
    post_content_edited(post_id=job.post_id, user=editor)
    note = publish_job_run(
        publish_job_id=claim.job_id, lease_version=claim.lease_version
    )
    # then nothing reached TikTok and the job waits on the schedule, unleased,
    # with its attempt given back
    job.refresh_from_db()
    assert note == f"Now {Status.SCHEDULED}."
    assert job.status == Status.SCHEDULED
    assert (job.lease_owner, job.lease_expires_at, job.attempt_count) == ("", None, 0)
    assert sandbox_init_count(creator_open_id=account.open_id) == 0
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO) == 0
    # and the dispatcher leaves it alone while it is in review
    assert publish_dispatch_tick() == []


def test_approved_again_it_is_published_once(account):
    job, editor, approver = _approved_job(account)
    [claim] = publish_dispatch_tick()
    post_content_edited(post_id=job.post_id, user=editor)
    publish_job_run(publish_job_id=claim.job_id, lease_version=claim.lease_version)
    # when the approver approves the edit (the time is set ahead, then comes)
    Post.objects.filter(pk=job.post_id).update(
        scheduled_at=timezone.now() + timedelta(minutes=5)
    )
    post_approve(post_id=job.post_id, by=Reviewer.signed_in(approver))
    drive()
    # then it goes out, once
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
