"""The page behind every review email's "Change or stop these emails" link,
outside the admin (``/review/email/<token>/``), and the one-click
unsubscribe endpoint mail clients post to (RFC 8058).

The token is the user's id signed by ``cms.review.email``: holding the email
is what lets its reader change the setting. The page's form is
CSRF-protected; the one-click endpoint cannot be (a mail client posts it
without a page), so it only ever turns emails off.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cms.review.email import (
    email_choice_of,
    email_choice_set,
    email_setting_user_id,
)
from cms.review.models import NotificationSetting

Email = NotificationSetting.Email


def _user_or_404(token: str) -> Any:
    user_id = email_setting_user_id(token)
    user = (
        None
        if user_id is None
        else get_user_model().objects.filter(pk=user_id, is_active=True).first()
    )
    if user is None:
        raise Http404
    return user


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email_setting_page(request: HttpRequest, token: str) -> HttpResponse:
    """Show the reader's choice of review emails and save a new one."""
    user = _user_or_404(token)
    saved = False
    if request.method == "POST":
        choice = request.POST.get("email", "")
        if choice in Email.values:
            email_choice_set(user_id=user.pk, email=choice)
            saved = True
    response = render(
        request,
        "review/email_setting.html",
        {
            "address": user.email,
            "choices": Email.choices,
            "current": email_choice_of(user.pk),
            "saved": saved,
        },
    )
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_POST
def email_one_click_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: a mail client's "Unsubscribe" button posts here; review
    emails stop (the notification list in the admin keeps everything)."""
    user = _user_or_404(token)
    email_choice_set(user_id=user.pk, email=Email.OFF)
    return HttpResponse(
        "Unsubscribed from Postdeck review emails.\n", content_type="text/plain"
    )
