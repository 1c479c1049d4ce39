"""TOTP two-factor for staff: enrolment, backup codes and checking a code.

A user is *enrolled* once they have a confirmed authenticator-app (TOTP) device.
Enrolling also issues single-use backup codes (a static device) for a lost phone.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from workspaces.selectors import workspace_requires_two_factor_for

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
TOTP_DIGITS = 6


def two_factor_is_enrolled(user: Any) -> bool:
    """True if ``user`` has a confirmed authenticator app, so sign-in needs a code."""
    if not getattr(user, "pk", None):
        return False
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def two_factor_required_by(user: Any) -> str:
    """Who requires ``user`` to use two-factor sign-in: ``"site"`` (the
    ``POSTDECK_REQUIRE_2FA`` setting, staff only), ``"workspace"`` (a workspace
    they are a member of has "require two-factor sign-in" on), or ``""``."""
    if settings.POSTDECK_REQUIRE_2FA and getattr(user, "is_staff", False):
        return "site"
    if workspace_requires_two_factor_for(user):
        return "workspace"
    return ""


def totp_device_pending(*, user: Any) -> TOTPDevice:
    """The user's authenticator app being set up, created with a new key if none.

    The device stays unconfirmed (it does not protect sign-in) until a code
    from the app is confirmed with ``two_factor_enrol_confirm``.
    """
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, confirmed=False
        )
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the device's ``otpauth://`` URL (no inline style)."""
    qr: Any = segno.make(device.config_url, error="m")
    return str(qr.svg_inline(scale=4, dark="#000", light="#fff"))


def two_factor_enrol_confirm(
    *, user: Any, token: str
) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending app with a code from it; None if the code is wrong.

    On success the app protects sign-in from now on, and a fresh set of
    ``BACKUP_CODE_COUNT`` single-use backup codes replaces any earlier set;
    the codes are returned in clear this once and stored only on the device.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(_normalised(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One app at a time: an older confirmed app would still accept codes.
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        backup = StaticDevice.objects.create(
            user=user, name=BACKUP_DEVICE_NAME, confirmed=True
        )
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(
            StaticToken(device=backup, token=code) for code in codes
        )
    return device, codes


def two_factor_verify(*, user: Any, token: str) -> Device | None:
    """The device that accepts ``token`` for ``user``, or None.

    Six digits are checked against the authenticator app, anything else against
    the backup codes (a used backup code is spent). A device throttled by
    earlier wrong codes accepts nothing until its wait is over.
    """
    token = _normalised(token)
    model: type[Device] = (
        TOTPDevice if token.isdigit() and len(token) == TOTP_DIGITS else StaticDevice
    )
    with transaction.atomic():
        devices = model.objects.select_for_update().filter(
            user_id=user.pk, confirmed=True
        )
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                return device
    return None


def _normalised(token: str) -> str:
    return "".join(token.split()).lower()
