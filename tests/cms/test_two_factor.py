"""TOTP two-factor for staff: enrol with a QR code, then sign in with a code."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.workspaces import MembershipFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
SETUP = "admin:two_factor"


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app shows now, computed from the device key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enrolled_user():
    user = MembershipFactory().user
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def sign_in(client, user, code=None):
    data = {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post(reverse("admin:login"), data)


def test_the_setup_page_shows_a_qr_code_and_the_key(staff_client, staff_user):
    # when
    response = staff_client.get(reverse(SETUP))
    # then
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=staff_user)
    assert response.status_code == 200
    assert '<svg width="' in page
    assert 'class="segno"' in page
    assert not device.confirmed
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    assert len(secret) == 32


def test_a_right_code_turns_two_factor_on_and_shows_backup_codes(
    staff_client, staff_user
):
    # given
    staff_client.get(reverse(SETUP))
    device = TOTPDevice.objects.get(user=staff_user)
    # when
    response = staff_client.post(reverse(SETUP), {"token": code_for(device)})
    # then
    device.refresh_from_db()
    page = response.content.decode()
    assert device.confirmed
    assert "Two-factor sign-in is on" in page
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=staff_user).count() == 10
    # The session that enrolled stays signed in.
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_does_not_turn_two_factor_on(staff_client, staff_user):
    # given
    staff_client.get(reverse(SETUP))
    device = TOTPDevice.objects.get(user=staff_user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    # when
    response = staff_client.post(reverse(SETUP), {"token": wrong})
    # then
    device.refresh_from_db()
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not device.confirmed


def test_the_setup_form_needs_its_csrf_token(staff_user):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    client.get(reverse(SETUP))
    device = TOTPDevice.objects.get(user=staff_user)
    # when
    response = client.post(reverse(SETUP), {"token": code_for(device)})
    # then
    device.refresh_from_db()
    assert response.status_code == 403
    assert not device.confirmed


def test_sign_in_asks_an_enrolled_user_for_the_code(client):
    # given
    user, _ = enrolled_user()
    # when
    response = sign_in(client, user)
    # then
    assert response.status_code == 200
    assert "enter the 6-digit code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused(client):
    # given
    user, device = enrolled_user()
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    # when
    response = sign_in(client, user, wrong)
    # then
    assert response.status_code == 200
    assert "That authentication code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_code_signs_in(client):
    # given
    user, device = enrolled_user()
    # when
    response = sign_in(client, user, code_for(device))
    # then
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_code_cannot_be_used_twice(client):
    # given
    user, device = enrolled_user()
    code = code_for(device)
    sign_in(client, user, code)
    # when
    response = sign_in(Client(), user, code)
    # then
    assert response.status_code == 200
    assert "That authentication code is not right" in response.content.decode()


def test_a_backup_code_signs_in_once(client):
    # given
    user, _ = enrolled_user()
    backup = user.staticdevice_set.create(name="Backup codes", confirmed=True)
    backup.token_set.create(token="abcd2345")
    # when
    first = sign_in(client, user, "abcd 2345")
    second = sign_in(Client(), user, "abcd2345")
    # then
    assert first.status_code == 302
    assert second.status_code == 200


def test_wrong_codes_count_towards_the_lockout(client):
    # given
    user, device = enrolled_user()
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    for minute in range(5):
        # Past the device's own growing wait, so each wrong code is checked.
        with time_machine.travel(timedelta(minutes=minute), tick=True):
            sign_in(client, user, wrong)
    # when
    response = sign_in(client, user, code_for(device))
    # then
    assert response.status_code == 429


def test_a_session_from_before_enrolment_must_sign_in_again(staff_client, staff_user):
    # given
    TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    # when
    response = staff_client.get(reverse("admin:index"))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_when_required_staff_without_an_app_are_sent_to_set_one_up(
    settings, staff_client
):
    # given
    settings.POSTDECK_REQUIRE_2FA = True
    # when
    index = staff_client.get(reverse("admin:index"))
    setup = staff_client.get(reverse(SETUP))
    # then
    assert index.status_code == 302
    assert index["Location"] == reverse(SETUP)
    assert setup.status_code == 200
    assert "requires two-factor sign-in" in setup.content.decode()


def test_when_not_required_staff_without_an_app_work_as_before(staff_client):
    # when
    response = staff_client.get(reverse("admin:index"))
    # then
    assert response.status_code == 200
