"""The admin page where a staff member sets up their authenticator app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django_otp import login as otp_login

from cms.security.forms import EnrolmentForm
from cms.security.two_factor import (
    BACKUP_CODE_COUNT,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_base32,
    two_factor_enrol_confirm,
    two_factor_is_enrolled,
    two_factor_required_by,
)

TEMPLATE = "admin/two_factor.html"


def two_factor_setup(request: HttpRequest, site: admin.AdminSite) -> TemplateResponse:
    """GET: the QR code and key of a new app; POST: confirm it with a code.

    After a right code the app protects every later sign-in, this session
    counts as verified, and the backup codes are shown once.
    """
    context: dict[str, Any] = {
        **site.each_context(request),
        "title": "Two-factor sign-in",
        "required": two_factor_required_by(request.user),
        "backup_code_count": BACKUP_CODE_COUNT,
    }
    user = request.user
    if two_factor_is_enrolled(user):
        return TemplateResponse(request, TEMPLATE, {**context, "enrolled": True})
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor_enrol_confirm(user=user, token=form.cleaned_data["token"])
        if result is not None:
            device, codes = result
            otp_login(request, device)
            return TemplateResponse(
                request, TEMPLATE, {**context, "enrolled": True, "backup_codes": codes}
            )
        form.add_error(
            "token",
            "That code is not right. Enter the code the app shows now; if it "
            "keeps failing, check that the phone's clock is set automatically.",
        )
    device = totp_device_pending(user=user)
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            **context,
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret_base32(device),
        },
    )
