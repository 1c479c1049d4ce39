"""The Workspace admin: staff see and rename their own workspaces; superusers
create them, delete them and manage who is a member; superusers and the
workspace's managers decide whether its members must use two-factor sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from workspaces.admin_scoping import WorkspaceScopedAdmin
from workspaces.models import Workspace, WorkspaceMembership
from workspaces.selectors import workspace_is_managed_by


class WorkspaceMembershipInline(admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    change_form_template = "admin/workspaces/workspace/change_form.html"
    list_display = [
        "name",
        "slug",
        "time_zone",
        "require_two_factor",
        "approval_policy",
        "member_count",
        "created_at",
    ]
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

    def get_readonly_fields(
        self, request: HttpRequest, obj: Workspace | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not workspace_is_managed_by(request.user, obj.pk):
            # Who must approve is the managers' call, like two-factor.
            fields += [
                "require_two_factor",
                "approval_policy",
                "allow_link_reviews",
                "review_reminder_hours",
            ]
        return fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return self.inlines if request.user.is_superuser else []
