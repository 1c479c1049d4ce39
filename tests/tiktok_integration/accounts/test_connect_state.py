"""The callback refuses any sign-in it did not start, before calling TikTok."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.urls import reverse

from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.accounts import SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_tiktok_calls():
    """Any request to TikTok (or anywhere) fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def start_connect(client, workspace) -> dict[str, str]:
    response = client.get(reverse("tiktok:connect"), {"workspace": workspace.pk})
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def callback(client, **params):
    return client.get(
        reverse("tiktok:callback"),
        {"code": "fake-code", "scopes": "video.publish", **params},
    )


def refused(response) -> str:
    assert response.status_code == 303
    assert response["Location"] == reverse(
        "admin:tiktok_integration_tiktokaccount_changelist"
    )
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_connect_redirects_to_tiktok_with_state_and_hex_pkce(
    staff_client, workspace, settings
):
    # when
    query = start_connect(staff_client, workspace)
    # then
    assert query["client_key"] == settings.TIKTOK_CLIENT_KEY
    assert query["redirect_uri"] == settings.TIKTOK_REDIRECT_URI
    assert query["scope"].split(",") == settings.TIKTOK_SCOPES
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 64
    assert int(query["code_challenge"], 16) >= 0
    assert len(query["state"]) >= 40


def test_connect_refuses_a_workspace_the_user_is_not_in(staff_client):
    # given
    other = WorkspaceFactory()
    # when
    response = staff_client.get(reverse("tiktok:connect"), {"workspace": other.pk})
    # then
    assert response.status_code == 302
    assert "tiktok-sandbox" not in response["Location"]
    assert SESSION_KEY not in staff_client.session


def test_connect_needs_a_staff_login(client, workspace):
    response = client.get(reverse("tiktok:connect"), {"workspace": workspace.pk})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (None, "not started from this browser session"),
        ("wrong-state-value", "not started from this browser session"),
    ],
)
def test_missing_or_wrong_state_is_refused(
    staff_client, workspace, no_tiktok_calls, state, expected
):
    # given a real pending sign-in
    start_connect(staff_client, workspace)
    # when the callback carries no state, or another one
    params = {} if state is None else {"state": state}
    message = refused(callback(staff_client, **params))
    # then
    assert expected in message
    assert not TikTokAccount.objects.exists()
    assert len(no_tiktok_calls.calls) == 0


def test_reused_state_is_refused(staff_client, workspace, no_tiktok_calls):
    # given a state consumed by a first (failed) callback
    state = start_connect(staff_client, workspace)["state"]
    refused(callback(staff_client, state=state, error="access_denied"))
    # when it is presented again
    message = refused(callback(staff_client, state=state))
    # then
    assert "already used" in message
    assert len(no_tiktok_calls.calls) == 0


def test_expired_state_is_refused(staff_client, workspace, no_tiktok_calls):
    # given a sign-in started 11 minutes ago
    state = start_connect(staff_client, workspace)["state"]
    session = staff_client.session
    pending = session[SESSION_KEY]
    pending[state]["created"] = time.time() - 660
    session[SESSION_KEY] = pending
    session.save()
    # when
    message = refused(callback(staff_client, state=state))
    # then
    assert "expired" in message
    assert not TikTokAccount.objects.exists()
    assert len(no_tiktok_calls.calls) == 0


def test_state_from_another_browser_session_is_refused(
    client, staff_user, workspace, no_tiktok_calls, django_user_model
):
    # given the staff member starts in one browser
    from django.test import Client

    first = Client()
    first.force_login(staff_user)
    state = start_connect(first, workspace)["state"]
    # when a second browser session (same user) presents that state
    second = Client()
    second.force_login(staff_user)
    message = refused(callback(second, state=state))
    # then
    assert "not started from this browser session" in message
    assert len(no_tiktok_calls.calls) == 0


def test_state_for_a_workspace_the_user_has_left_is_refused(
    staff_client, staff_user, workspace, no_tiktok_calls
):
    # given a sign-in started for the workspace, after which the user is removed
    state = start_connect(staff_client, workspace)["state"]
    workspace.memberships.filter(user=staff_user).delete()
    MembershipFactory(user=staff_user)  # still staff, in another workspace
    # when
    message = refused(callback(staff_client, state=state))
    # then
    assert "no longer a member" in message
    assert not TikTokAccount.objects.exists()
    assert len(no_tiktok_calls.calls) == 0


def test_denial_shows_a_clear_message_and_stores_nothing(
    staff_client, workspace, no_tiktok_calls
):
    # given
    state = start_connect(staff_client, workspace)["state"]
    # when the creator clicks "Cancel" on TikTok's consent page
    message = refused(
        callback(
            staff_client,
            state=state,
            error="access_denied",
            error_description="User cancelled",
        )
    )
    # then
    assert "declined to connect" in message
    assert not TikTokAccount.objects.exists()
    assert len(no_tiktok_calls.calls) == 0
