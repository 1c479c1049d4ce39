"""Two-factor sign-in required by a workspace for its members, and who may
require it (the workspace's managers and superusers)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from workspaces.models import Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db
SETUP = "admin:two_factor"
MANAGER = WorkspaceMembership.Role.MANAGER
EDITOR = WorkspaceMembership.Role.EDITOR


def member_of(*workspaces: Workspace, role: str = EDITOR):
    first, *others = workspaces
    user = MembershipFactory(workspace=first, role=role).user
    for workspace in others:
        MembershipFactory(workspace=workspace, user=user, role=role)
    return user


def change_url(workspace: Workspace) -> str:
    return reverse("admin:workspaces_workspace_change", args=[workspace.pk])


def form_data(workspace: Workspace, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": workspace.name,
        "slug": workspace.slug,
        "time_zone": workspace.time_zone,
        "cap_deferral_policy": workspace.cap_deferral_policy,
        "approval_policy": workspace.approval_policy,
        "review_reminder_hours": workspace.review_reminder_hours,
    }
    if workspace.allow_link_reviews:
        data["allow_link_reviews"] = "on"
    data.update(changes)
    return data


def test_a_member_of_a_workspace_requiring_it_is_sent_to_set_it_up(client):
    # given a staff member of two workspaces, one of which requires 2FA
    user = member_of(WorkspaceFactory(), WorkspaceFactory(require_two_factor=True))
    client.force_login(user)
    # when
    index = client.get(reverse("admin:index"))
    jobs = client.get(reverse("admin:tiktok_integration_publishjob_changelist"))
    setup = client.get(reverse(SETUP))
    # then
    assert index.status_code == 302
    assert index["Location"] == reverse(SETUP)
    assert jobs["Location"] == reverse(SETUP)
    assert setup.status_code == 200
    assert "A workspace you work in requires two-factor sign-in" in (
        setup.content.decode()
    )


def test_members_of_workspaces_not_requiring_it_work_as_before(client):
    # given another workspace requires it, but not one of this user's
    WorkspaceFactory(require_two_factor=True)
    client.force_login(member_of(WorkspaceFactory(), WorkspaceFactory()))
    # when
    response = client.get(reverse("admin:index"))
    # then
    assert response.status_code == 200


def test_the_site_wide_setting_still_applies_to_every_staff_member(settings, client):
    # given
    settings.POSTDECK_REQUIRE_2FA = True
    client.force_login(member_of(WorkspaceFactory()))
    # when
    index = client.get(reverse("admin:index"))
    setup = client.get(reverse(SETUP))
    # then
    assert index["Location"] == reverse(SETUP)
    assert "This Postdeck requires two-factor sign-in for staff" in (
        setup.content.decode()
    )


def test_a_manager_turns_the_requirement_on_for_their_workspace(client):
    # given
    workspace = WorkspaceFactory()
    client.force_login(member_of(workspace, role=MANAGER))
    # when
    page = client.get(change_url(workspace)).content.decode()
    response = client.post(
        change_url(workspace), form_data(workspace, require_two_factor="on")
    )
    # then
    assert 'name="require_two_factor"' in page
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.require_two_factor
    # and from now on the manager too must set it up
    assert client.get(reverse("admin:index"))["Location"] == reverse(SETUP)


def test_an_editor_cannot_change_the_requirement(client):
    # given an editor of a workspace that requires 2FA (enrolment pending)
    workspace = WorkspaceFactory()
    editor = member_of(workspace, role=EDITOR)
    client.force_login(editor)
    # when the editor saves the form trying to switch it on
    page = client.get(change_url(workspace)).content.decode()
    response = client.post(
        change_url(workspace),
        form_data(workspace, name="Renamed", require_two_factor="on"),
    )
    # then the rest of the edit is saved, the requirement is not
    assert 'name="require_two_factor"' not in page
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Renamed"
    assert not workspace.require_two_factor


def test_a_superuser_turns_the_requirement_off(admin_client):
    # given
    workspace = WorkspaceFactory(require_two_factor=True)
    # when (an unticked checkbox is simply absent from the form)
    response = admin_client.post(
        change_url(workspace),
        {
            **form_data(workspace),
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    # then
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert not workspace.require_two_factor
