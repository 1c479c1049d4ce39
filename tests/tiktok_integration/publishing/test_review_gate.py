"""The dispatcher publishes nothing a workspace has not approved: whatever the
job's time, however the job was made (a hand-made PublishJob included)."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.utils import timezone

from cms.models import Post
from cms.review.transitions import Reviewer, post_after_compose, post_approve
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from workspaces.models import Workspace, WorkspaceMembership

Status = PublishJob.Status


def _due_post(policy: str) -> tuple[Post, PublishJob]:
    """A post planned a minute ahead with a hand-made job."""
    workspace = WorkspaceFactory(approval_policy=policy)
    post = cast(Post, PostFactory(workspace=workspace))
    planned = timezone.now() + timedelta(minutes=1)
    Post.objects.filter(pk=post.pk).update(scheduled_at=planned)
    post.refresh_from_db()
    return post, cast(PublishJob, PublishJobFactory(post=post, scheduled_at=planned))


def _time_passes(job: PublishJob) -> None:
    """The job's time has come (it is a second overdue)."""
    PublishJob.objects.filter(pk=job.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_hand_made_job_of_an_unapproved_post_is_not_claimed(db):
    post, job = _due_post(Workspace.ApprovalPolicy.INTERNAL)
    assert post.editorial_state == Post.EditorialState.DRAFT
    _time_passes(job)
    assert publish_dispatch_tick() == []
    job.refresh_from_db()
    assert job.status == Status.SCHEDULED


def test_a_post_in_review_is_refused_even_when_long_overdue(db):
    post, job = _due_post(Workspace.ApprovalPolicy.INTERNAL)
    editor = MembershipFactory(workspace=post.workspace).user
    post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    PublishJob.objects.filter(pk=job.pk).update(
        scheduled_at=timezone.now() - timedelta(minutes=30)
    )
    assert publish_dispatch_tick() == []
    job.refresh_from_db()
    assert job.status == Status.SCHEDULED


def test_an_approved_post_is_claimed(db):
    post, job = _due_post(Workspace.ApprovalPolicy.INTERNAL)
    editor = MembershipFactory(workspace=post.workspace).user
    approver = MembershipFactory(
        workspace=post.workspace, role=WorkspaceMembership.Role.APPROVER
    ).user
    post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    post_approve(post_id=post.pk, by=Reviewer.signed_in(approver))
    post.refresh_from_db()
    assert post.editorial_state == Post.EditorialState.SCHEDULED
    _time_passes(job)
    assert [claim.job_id for claim in publish_dispatch_tick()] == [job.pk]


def test_without_a_policy_jobs_go_out_as_before(db):
    _, job = _due_post(Workspace.ApprovalPolicy.NONE)
    _time_passes(job)
    assert [claim.job_id for claim in publish_dispatch_tick()] == [job.pk]
