from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cms.navigation import navigation_for, section_models
from cms.security.forms import PostdeckLoginForm
from cms.security.two_factor import two_factor_is_enrolled
from cms.security.views import two_factor_setup

APP_ORDER = [
    "cms",
    "workspaces",
    "media_library",
    "tiktok_integration",
    "tiktok_sandbox",
]


class PostdeckAdminSite(admin.AdminSite):
    site_header = "Postdeck"
    site_title = "Postdeck"
    index_title = "Dashboard"
    # Postdeck has no public front page ("/" is a 404), so no "View site" link.
    site_url = None
    # Navigation is by task, in the header (cms/navigation.py), at every width.
    enable_nav_sidebar = False
    login_form = PostdeckLoginForm
    login_template = "admin/postdeck_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff, who also gave a one-time code if they set up two-factor.

        A session signed in before its user enrolled is sent back to sign in.
        """
        if not super().has_permission(request):
            return False
        is_verified = getattr(request.user, "is_verified", None)
        if is_verified is not None and is_verified():
            return True
        return not two_factor_is_enrolled(request.user)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from tiktok_integration.admin.calendar.views import (
            calendar_feed_view,
            calendar_move_view,
            calendar_page,
        )
        from tiktok_integration.admin.review_kit import review_kit_view

        own = [
            path(
                "two-factor/",
                self.admin_view(never_cache(two_factor_setup)),
                {"site": self},
                name="two_factor",
            ),
            path(
                "settings/",
                self.admin_view(self.section_view),
                {"section": "settings"},
                name="postdeck_settings",
            ),
            path(
                "system/",
                self.admin_view(self.section_view),
                {"section": "system"},
                name="postdeck_system",
            ),
            path(
                "tiktok-review-kit/",
                self.admin_view(never_cache(review_kit_view)),
                {"site": self},
                name="tiktok_review_kit",
            ),
            path(
                "calendar/",
                self.admin_view(never_cache(calendar_page)),
                {"site": self},
                name="calendar",
            ),
            path(
                "calendar/feed/",
                self.admin_view(never_cache(calendar_feed_view)),
                {"site": self},
                name="calendar_feed",
            ),
            path(
                "calendar/move/",
                self.admin_view(never_cache(calendar_move_view)),
                {"site": self},
                name="calendar_move",
            ),
        ]
        return own + super().get_urls()

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        return {
            **super().each_context(request),
            "postdeck_nav": navigation_for(request),
        }

    def section_view(self, request: HttpRequest, section: str) -> TemplateResponse:
        """The Settings page (everyone with admin access) or the System page
        (superusers only: the sandbox, scheduler and internal tables)."""
        from tiktok_integration.admin.review_kit import can_see_review_kit

        if section == "system" and not request.user.is_superuser:
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": "Settings" if section == "settings" else "System",
            "section": section,
            "section_apps": section_models(self, request, section),
            "show_review_kit": section == "settings"
            and can_see_review_kit(request.user),
        }
        return TemplateResponse(request, "admin/postdeck_section.html", context)

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        return super().index(
            request, {**self.dashboard_context(request), **(extra_context or {})}
        )

    def dashboard_context(self, request: HttpRequest) -> dict[str, Any]:
        from tiktok_integration.admin.dashboard import dashboard_context
        from workspaces.selectors import workspace_ids_for

        workspace_ids = workspace_ids_for(request.user)
        now = timezone.now()
        analytics = self.analytics_context(workspace_ids, now)
        accounts_admin = next(
            (
                model_admin
                for model, model_admin in self._registry.items()
                if model._meta.label_lower == "tiktok_integration.tiktokaccount"
            ),
            None,
        )
        return {
            **analytics,
            # A client reviewer may not open the accounts: no link to a 403.
            "may_open_accounts": accounts_admin is not None
            and accounts_admin.has_view_permission(request),
            **dashboard_context(
                request,
                workspace_ids=workspace_ids,
                now=now,
                zone=ZoneInfo(analytics["heatmap_zone"]),
            ),
        }

    def analytics_context(
        self, workspace_ids: Collection[int] | None, now: datetime
    ) -> dict[str, Any]:
        """The week's top videos and the posting-time heatmap, in the zone of
        the user's first workspace (UTC when there is none)."""
        from tiktok_integration.analytics.selectors import (
            workspace_heatmap,
            workspace_top_videos,
        )
        from workspaces.models import Workspace

        workspaces = Workspace.objects.order_by("pk")
        if workspace_ids is not None:
            workspaces = workspaces.filter(pk__in=workspace_ids)
        first = workspaces.only("time_zone").first()
        zone: tzinfo = ZoneInfo(first.time_zone) if first else UTC
        return {
            "top_videos": workspace_top_videos(workspace_ids=workspace_ids, now=now),
            "heatmap": workspace_heatmap(workspace_ids=workspace_ids, time_zone=zone),
            "heatmap_zone": str(zone),
            "heatmap_hours": range(24),
        }

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[Any]:
        apps = super().get_app_list(request, app_label)

        def position(app: dict[str, Any]) -> int:
            label = app["app_label"]
            return APP_ORDER.index(label) if label in APP_ORDER else len(APP_ORDER)

        apps = sorted(apps, key=position)
        self._add_review_kit(request, apps)
        return apps

    def _add_review_kit(self, request: HttpRequest, apps: list[Any]) -> None:
        """List the TikTok review kit page with the TikTok app's models."""
        from tiktok_integration.admin.review_kit import can_see_review_kit

        if not can_see_review_kit(request.user):
            return
        for app in apps:
            if app["app_label"] == "tiktok_integration":
                app["models"].append(
                    {
                        "name": "Review kit",
                        "object_name": "ReviewKit",
                        "admin_url": reverse("admin:tiktok_review_kit"),
                        "add_url": None,
                        "view_only": True,
                        "perms": {"view": True},
                    }
                )
