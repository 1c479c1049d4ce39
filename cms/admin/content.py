from __future__ import annotations

import zoneinfo

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils import timezone

from cms.models import Post, PostMedia
from cms.services import post_save
from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedInline


class PostMediaInline(WorkspaceScopedInline):
    model = PostMedia
    extra = 0
    autocomplete_fields = ["asset"]
    ordering = ["position"]


@admin.register(Post)
class PostAdmin(WorkspaceScopedAdmin):
    list_display = [
        "title",
        "workspace",
        "local_schedule",
        "media_count",
        "job_count",
        "updated_at",
    ]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter), "scheduled_at"]
    list_select_related = ["workspace"]
    search_fields = ["title", "caption", "external_id"]
    search_help_text = "Search title, caption or external id."
    date_hierarchy = "scheduled_at"
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [PostMediaInline]
    fieldsets = [
        (None, {"fields": ["workspace", "title", "caption"]}),
        (
            "Schedule",
            {
                "fields": [
                    ("scheduled_date", "scheduled_time"),
                    "time_zone",
                    "scheduled_fold",
                ]
            },
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["external_id", "created_by", "created_at", "updated_at"],
            },
        ),
    ]

    def get_urls(self) -> list[URLPattern]:
        """The composer (issue 11) next to the classic form: ``compose/`` for
        a new post, ``<id>/compose/`` to edit one, plus its panel and live
        state endpoints."""
        # Imported here: the composer's views need the TikTok app's admin,
        # which registers after this one.
        from tiktok_integration.admin.composer.views import (
            compose_page,
            compose_panel,
            compose_status,
        )

        wrap = self.admin_site.admin_view
        own = {"model_admin": self}
        return [
            path("compose/", wrap(compose_page), own, name="cms_post_compose"),
            path(
                "compose/panel/<int:account_id>/",
                wrap(compose_panel),
                own,
                name="cms_post_compose_panel",
            ),
            path(
                "<int:post_id>/compose/",
                wrap(compose_page),
                own,
                name="cms_post_compose_edit",
            ),
            path(
                "<int:post_id>/compose/status/",
                wrap(compose_status),
                own,
                name="cms_post_compose_status",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_media=Count("post_media", distinct=True),
                n_jobs=Count("publish_jobs", distinct=True),
            )
        )

    @admin.display(description="Scheduled (workspace time)", ordering="scheduled_at")
    def local_schedule(self, obj: Post) -> str:
        if obj.scheduled_at is None:
            return "Draft"
        zone = zoneinfo.ZoneInfo(obj.workspace.time_zone)
        return timezone.localtime(obj.scheduled_at, zone).strftime("%Y-%m-%d %H:%M %Z")

    @admin.display(description="Media", ordering="n_media")
    def media_count(self, obj: Post) -> int:
        return obj.n_media  # type: ignore[attr-defined]

    @admin.display(description="Accounts", ordering="n_jobs")
    def job_count(self, obj: Post) -> int:
        return obj.n_jobs  # type: ignore[attr-defined]

    def save_model(
        self, request: HttpRequest, obj: Post, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        post_save(post=obj)
