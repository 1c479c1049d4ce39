"""Staff sign-in is throttled per account and address (django-axes)."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from cms.security.lockout import client_ip_address
from tests.factories.workspaces import MembershipFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = sign_in(client, username, "wrong password", address)
        assert response.status_code in {200, 429}


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client):
    # given
    user = MembershipFactory().user
    fail(client, user.username, 5)
    # when
    response = sign_in(client, user.username, PASSWORD)
    # then
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in is locked after 5 failed attempts" in page
    assert "Try again in 15" in page
    assert f"axes_reset_username {user.username}" in page


def test_four_wrong_passwords_still_let_the_right_one_in(client):
    # given
    user = MembershipFactory().user
    fail(client, user.username, 4)
    # when
    response = sign_in(client, user.username, PASSWORD)
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_locked_address_cannot_try_other_accounts(client):
    # given
    first, second = MembershipFactory().user, MembershipFactory().user
    fail(client, first.username, 5)
    # when
    response = sign_in(client, second.username, PASSWORD)
    # then
    assert response.status_code == 429


def test_another_address_is_not_locked_out(client):
    # given
    user = MembershipFactory().user
    fail(client, user.username, 5, address="203.0.113.7")
    # when
    response = sign_in(client, user.username, PASSWORD, address="198.51.100.20")
    # then
    assert response.status_code == 302


def test_axes_reset_username_unlocks_the_account(client):
    # given
    user = MembershipFactory().user
    fail(client, user.username, 6)
    # when
    call_command("axes_reset_username", user.username, stdout=io.StringIO())
    response = sign_in(client, user.username, PASSWORD)
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_superuser_sees_and_deletes_the_lock_in_the_admin(client, admin_user):
    # given
    user = MembershipFactory().user
    fail(client, user.username, 5)
    attempt = AccessAttempt.objects.get(username=user.username)
    admin = Client()
    admin.force_login(admin_user)
    # when
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    retried = sign_in(client, user.username, PASSWORD)
    # then
    assert listing.status_code == 200
    assert user.username in listing.content.decode()
    assert deleted.status_code == 302
    assert retried.status_code == 302


def test_staff_who_are_not_superusers_cannot_see_lockouts(staff_client):
    # when
    response = staff_client.get(reverse("admin:axes_accessattempt_changelist"))
    # then
    assert response.status_code == 403


def test_the_login_form_still_needs_its_csrf_token():
    # given
    user = MembershipFactory().user
    client = Client(enforce_csrf_checks=True)
    # when
    response = sign_in(client, user.username, PASSWORD)
    # then
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_forwarded_for_is_ignored_unless_behind_a_trusted_proxy(settings):
    # given
    settings.POSTDECK_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().post(
        "/admin/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    # then
    assert client_ip_address(request) == "10.0.0.5"


def test_behind_one_proxy_the_address_it_appended_counts_not_a_forged_one(settings):
    # given
    settings.POSTDECK_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/admin/login/",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    # then
    assert client_ip_address(request) == "203.0.113.9"
