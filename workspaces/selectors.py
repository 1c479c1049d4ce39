"""Read-side queries: which workspaces a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from workspaces.models import Workspace, WorkspaceMembership


def workspace_ids_for(user: Any) -> set[int] | None:
    """The ids of the workspaces ``user`` works in, or None meaning all (superusers).

    An anonymous user sees none (an empty set). A client reviewer's workspace
    is not among them: the admin's scoping, built on this, then shows them no
    account, media, post or setting of it; they reach only the review pages
    (``cms.review``), which use ``workspace_ids_reviewed_by``.
    """
    if getattr(user, "is_superuser", False):
        return None
    if not user.is_authenticated:
        return set()
    return set(
        WorkspaceMembership.objects.filter(user=user)
        .exclude(role=WorkspaceMembership.Role.CLIENT_REVIEWER)
        .values_list("workspace_id", flat=True)
    )


def workspace_ids_reviewed_by(user: Any) -> set[int] | None:
    """The ids of the workspaces whose posts ``user`` may open for review:
    every membership, client reviewer included; None for superusers (all)."""
    if getattr(user, "is_superuser", False):
        return None
    if not getattr(user, "pk", None):
        return set()
    return set(
        WorkspaceMembership.objects.filter(user_id=user.pk).values_list(
            "workspace_id", flat=True
        )
    )


def workspace_role_of(user: Any, workspace_id: int) -> str | None:
    """``user``'s ``WorkspaceMembership.Role`` in the workspace, None if not a
    member. Superusers count as managers everywhere."""
    if getattr(user, "is_superuser", False):
        return WorkspaceMembership.Role.MANAGER
    if not getattr(user, "pk", None):
        return None
    return (
        WorkspaceMembership.objects.filter(user_id=user.pk, workspace_id=workspace_id)
        .values_list("role", flat=True)
        .first()
    )


def workspace_requires_two_factor_for(user: Any) -> bool:
    """Whether any workspace ``user`` is a member of requires two-factor sign-in."""
    if not getattr(user, "pk", None):
        return False
    return Workspace.objects.filter(
        memberships__user_id=user.pk, require_two_factor=True
    ).exists()


def workspace_is_managed_by(user: Any, workspace_id: int) -> bool:
    """Whether ``user`` may change the workspace's settings: a superuser, or
    one of its managers."""
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "pk", None):
        return False
    return WorkspaceMembership.objects.filter(
        workspace_id=workspace_id,
        user_id=user.pk,
        role=WorkspaceMembership.Role.MANAGER,
    ).exists()


def workspace_list_for(user: Any) -> QuerySet[Workspace]:
    """The workspaces ``user`` may see, in name order."""
    ids = workspace_ids_for(user)
    workspaces = Workspace.objects.all()
    return workspaces if ids is None else workspaces.filter(pk__in=ids)


def user_only_reviews_for_clients(user: Any) -> bool:
    """Whether ``user`` is a client reviewer and nothing else: memberships, all
    of them client reviewer (superusers and users without memberships: False).
    The admin then shows them no model at all, only the review pages."""
    if getattr(user, "is_superuser", False) or not getattr(user, "pk", None):
        return False
    roles = set(
        WorkspaceMembership.objects.filter(user_id=user.pk).values_list(
            "role", flat=True
        )
    )
    return bool(roles) and roles <= {WorkspaceMembership.Role.CLIENT_REVIEWER}


def home_time_zone_for(user: Any) -> str:
    """The IANA zone of the first workspace (lowest id) ``user`` belongs to,
    client reviewers included; of the first workspace for superusers; "UTC"
    when there is none. Times that belong to no one workspace show in it."""
    workspace_ids = workspace_ids_reviewed_by(user)
    workspaces = Workspace.objects.order_by("pk")
    if workspace_ids is not None:
        workspaces = workspaces.filter(pk__in=workspace_ids)
    return workspaces.values_list("time_zone", flat=True).first() or "UTC"
