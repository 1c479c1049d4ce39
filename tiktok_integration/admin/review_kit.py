"""The TikTok review kit page (admin): everything TikTok's app review asks,
next to where Postdeck stands on it (docs/tiktok.md §8, §10)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from tiktok_integration.review_kit.checks import FAIL, OK, review_kit_checks
from tiktok_integration.review_kit.guidelines import GUIDELINES, REVIEW_VIDEO

VIEW_PERMISSION = "tiktok_integration.view_urlverificationfile"


def can_see_review_kit(user: Any) -> bool:
    """Who may see the app's settings: superusers and staff allowed to see
    verification files (they hold the same facts)."""
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


def review_kit_view(request: HttpRequest, site: Any) -> TemplateResponse:
    """GET: the kit, with every URL checked now."""
    if not can_see_review_kit(request.user):
        raise PermissionDenied
    checks = review_kit_checks()
    context = {
        **site.each_context(request),
        "title": "TikTok review kit",
        "checks": checks,
        "all_ok": all(check.state == OK for check in checks),
        "failures": sum(check.state == FAIL for check in checks),
        "guidelines": GUIDELINES,
        "review_video": REVIEW_VIDEO,
        "sandbox": settings.TIKTOK_SANDBOX,
        "scopes": settings.TIKTOK_SCOPES,
        "links": {
            "accounts": reverse("admin:tiktok_integration_tiktokaccount_changelist"),
            "compose": reverse("admin:cms_post_compose"),
            "posts": reverse("admin:cms_post_changelist"),
            "files": reverse("admin:tiktok_integration_urlverificationfile_changelist"),
            "prefixes": reverse("admin:media_library_verifiedurlprefix_changelist"),
            "legal": reverse("admin:cms_legalpage_changelist"),
            "media": reverse("admin:media_library_mediaasset_changelist"),
        },
    }
    return TemplateResponse(
        request, "admin/tiktok_integration/review_kit.html", context
    )
