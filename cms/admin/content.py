from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from cms.admin.scoping import WorkspaceScopedAdmin, WorkspaceScopedInline
from cms.models import Post, PostMedia, Workspace, WorkspaceMembership
from cms.services import post_save


class WorkspaceMembershipInline(admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    change_form_template = "admin/cms/workspace/change_form.html"
    list_display = ["name", "slug", "time_zone", "member_count", "created_at"]
    search_fields = ["name", "slug"]
    search_help_text = "Search by name or slug."
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [WorkspaceMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description="Members", ordering="n_members")
    def member_count(self, obj: Workspace) -> int:
        return obj.n_members  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(
        self, request: HttpRequest, obj: Workspace | None = None
    ) -> bool:
        return request.user.is_superuser

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return self.inlines if request.user.is_superuser else []


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
        ("Schedule", {"fields": ["scheduled_at", "time_zone"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["external_id", "created_by", "created_at", "updated_at"],
            },
        ),
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
