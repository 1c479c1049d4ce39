"""A workspace that asks for approval, with one member per role, and helpers
to put a post in a given review state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from cms.models import Post
from cms.review.transitions import Reviewer, post_after_compose, post_approve
from tests.factories.cms import PostFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from workspaces.models import Workspace, WorkspaceMembership

Role = WorkspaceMembership.Role
Policy = Workspace.ApprovalPolicy


@pytest.fixture
def agency(db: Any) -> Workspace:
    return cast(
        Workspace,
        WorkspaceFactory(approval_policy=Policy.INTERNAL_THEN_CLIENT, name="Agency"),
    )


def member(workspace: Workspace, role: str, username: str) -> Any:
    return MembershipFactory(
        workspace=workspace, role=role, user__username=username
    ).user


@pytest.fixture
def editor(agency: Workspace) -> Any:
    return member(agency, Role.EDITOR, "eddie")


@pytest.fixture
def approver(agency: Workspace) -> Any:
    return member(agency, Role.APPROVER, "abby")


@pytest.fixture
def manager(agency: Workspace) -> Any:
    return member(agency, Role.MANAGER, "max")


@pytest.fixture
def client_reviewer(agency: Workspace) -> Any:
    return member(agency, Role.CLIENT_REVIEWER, "clara")


def planned_post(workspace: Workspace, author: Any, hours_ahead: float = 48) -> Post:
    post = cast(Post, PostFactory(workspace=workspace, created_by=author))
    post.scheduled_at = timezone.now() + timedelta(hours=hours_ahead)
    local = post.scheduled_at.astimezone(timezone.get_fixed_timezone(0))
    post.scheduled_date, post.scheduled_time = local.date(), local.time()
    post.time_zone = "UTC"
    post.save()
    return post


def submitted(workspace: Workspace, author: Any, hours_ahead: float = 48) -> Post:
    """A post its author pressed Schedule on in the composer: In review."""
    post = planned_post(workspace, author, hours_ahead)
    return post_after_compose(post_id=post.pk, user=author, content_changed=True)


def at_client_stage(workspace: Workspace, author: Any, approver: Any) -> Post:
    post = submitted(workspace, author)
    return post_approve(post_id=post.pk, by=Reviewer.signed_in(approver))
