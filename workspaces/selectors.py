"""Read-side queries: which workspaces a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from workspaces.models import Workspace, WorkspaceMembership


def workspace_ids_for(user: Any) -> set[int] | None:
    """The ids of the workspaces ``user`` may see, or None meaning all (superusers).

    An anonymous user sees none (an empty set).
    """
    if getattr(user, "is_superuser", False):
        return None
    if not user.is_authenticated:
        return set()
    return set(
        Workspace.objects.filter(memberships__user=user).values_list("pk", flat=True)
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
