"""Staff who must use two-factor set it up before anything else: all staff with
POSTDECK_REQUIRE_2FA on, and the members of a workspace that requires it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cms.security.two_factor import two_factor_is_enrolled, two_factor_required_by

# Admin pages an unenrolled staff member may still open.
ALLOWED_ADMIN_VIEWS = {"two_factor", "logout", "jsi18n"}


class RequireTwoFactorMiddleware:
    """Redirects signed-in staff without an authenticator app to the set-up page.

    Applies to staff when ``settings.POSTDECK_REQUIRE_2FA`` is on, or when a
    workspace they are a member of has ``require_two_factor`` on. Anonymous
    users and non-staff pass through (the admin refuses them anyway).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        match = request.resolver_match
        if (
            match is not None
            and match.namespace == "admin"
            and match.url_name in ALLOWED_ADMIN_VIEWS
        ):
            return None
        if not two_factor_required_by(user) or two_factor_is_enrolled(user):
            return None
        return HttpResponseRedirect(reverse("admin:two_factor"))
