"""The Workspace admin page, as staff and as a superuser see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.workspaces import MembershipFactory

pytestmark = pytest.mark.django_db


def change_url(workspace) -> str:
    return reverse("admin:workspaces_workspace_change", args=[workspace.pk])


def test_workspace_page_offers_to_connect_a_tiktok_account(staff_client, workspace):
    # when
    html = staff_client.get(change_url(workspace)).content.decode()
    # then
    connect = reverse("tiktok:connect") + f"?workspace={workspace.pk}"
    assert f'href="{connect}"' in html
    assert "Connect TikTok account" in html


def test_staff_edit_their_workspace_but_not_its_members(staff_client, workspace):
    # given another member
    other = MembershipFactory(workspace=workspace).user
    # when
    html = staff_client.get(change_url(workspace)).content.decode()
    # then: no membership rows to edit, and no way to add a workspace
    assert other.username not in html
    assert "memberships-TOTAL_FORMS" not in html
    add = staff_client.get(reverse("admin:workspaces_workspace_add"))
    assert add.status_code == 403


def test_superusers_manage_members_on_the_workspace_page(admin_client, workspace):
    # given
    member = MembershipFactory(workspace=workspace).user
    # when
    html = admin_client.get(change_url(workspace)).content.decode()
    # then
    assert "memberships-TOTAL_FORMS" in html
    assert f'value="{member.pk}"' in html


def test_workspace_list_counts_members(admin_client, workspace):
    # given
    MembershipFactory(workspace=workspace)
    MembershipFactory(workspace=workspace)
    # when
    html = admin_client.get(reverse("admin:workspaces_workspace_changelist"))
    # then
    assert '<td class="field-member_count">2</td>' in html.content.decode()


def test_a_time_zone_that_is_not_iana_is_refused(staff_client, workspace):
    # when
    response = staff_client.post(
        change_url(workspace),
        {"name": workspace.name, "slug": workspace.slug, "time_zone": "CEST"},
    )
    # then
    assert response.status_code == 200
    assert "is not an IANA time zone" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.time_zone == "Europe/Berlin"


def test_staff_can_change_their_workspace_time_zone(staff_client, workspace):
    # when
    response = staff_client.post(
        change_url(workspace),
        {
            "name": workspace.name,
            "slug": workspace.slug,
            "time_zone": "Asia/Tokyo",
            "cap_deferral_policy": "retry",
        },
    )
    # then
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.time_zone == "Asia/Tokyo"


def test_staff_choose_what_happens_when_tiktoks_caps_defer_a_post(
    staff_client, workspace
):
    # given the page offers both policies, retrying by default
    html = staff_client.get(change_url(workspace)).content.decode()
    assert "When TikTok&#x27;s caps defer a post" in html
    assert "Wait for staff to pick a new time" in html
    assert workspace.cap_deferral_policy == "retry"
    # when
    response = staff_client.post(
        change_url(workspace),
        {
            "name": workspace.name,
            "slug": workspace.slug,
            "time_zone": workspace.time_zone,
            "cap_deferral_policy": "wait",
        },
    )
    # then
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.cap_deferral_policy == "wait"
