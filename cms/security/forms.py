"""The admin sign-in form with an authentication code, and the enrolment form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed

from cms.security.two_factor import two_factor_is_enrolled, two_factor_verify

CODE_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "spellcheck": "false",
}


class PostdeckLoginForm(AdminAuthenticationForm):
    """Username and password, plus the authentication code for enrolled staff.

    A wrong code counts as a failed sign-in for the lockout, like a wrong
    password, so codes cannot be guessed at leisure either.
    """

    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
        help_text="Only if you set up two-factor: the 6 digits from your "
        "authenticator app, or one of your backup codes.",
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "token_required": "This account uses two-factor sign-in: enter the "
        "6-digit code from your authenticator app (or a backup code).",
        "invalid_token": "That authentication code is not right. Codes change "
        "every 30 seconds; check the phone's clock, or use a backup code.",
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not two_factor_is_enrolled(user):
            return cleaned
        token = (cleaned.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(
                self.error_messages["token_required"], code="token_required"
            )
        device = two_factor_verify(user=user, token=token)
        if device is None:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(
                self.error_messages["invalid_token"], code="invalid_token"
            )
        # django-otp's user_logged_in receiver stores this in the session.
        user.otp_device = device  # type: ignore[attr-defined]
        return cleaned


class EnrolmentForm(forms.Form):
    """The first code from a newly added authenticator app."""

    token = forms.CharField(
        label="Code from the app",
        max_length=16,
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )
