"""Writes for workspaces and their members."""

from __future__ import annotations

from workspaces.models import Workspace, WorkspaceMembership


def workspace_add_member(
    *, workspace: Workspace, user_id: int, role: str = WorkspaceMembership.Role.EDITOR
) -> WorkspaceMembership:
    """Make a user a member of ``workspace`` with ``role``; re-adding changes the role.

    Returns the (created or updated) membership.
    """
    membership, _ = WorkspaceMembership.objects.update_or_create(
        workspace=workspace, user_id=user_id, defaults={"role": role}
    )
    return membership
