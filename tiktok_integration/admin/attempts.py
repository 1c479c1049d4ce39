"""Publish attempts (one external call to TikTok each) in the admin: the inline
on a publish job and the read-only list staff search by TikTok log id."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tiktok_integration.models import PublishAttempt
from workspaces.admin_scoping import WorkspaceScopedAdmin

ATTEMPT_FIELDS = (
    "started_at",
    "endpoint",
    "http_status",
    "tiktok_code",
    "log_id",
    "duration_ms",
    "message",
)


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS
    # Every call to TikTok: internals, folded like the job's Details.
    classes = ["collapse"]
    ordering = ["-started_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PublishAttempt)
class PublishAttemptAdmin(WorkspaceScopedAdmin):
    workspace_path = "account__workspace"
    list_display = [
        "started_at",
        "endpoint",
        "account",
        "job",
        "http_status",
        "tiktok_code",
        "log_id",
        "duration_ms",
    ]
    list_filter = ["endpoint", "tiktok_code"]
    list_select_related = ["account", "job", "job__post", "job__account"]
    search_fields = ["log_id", "job__publish_id"]
    search_help_text = "Search by TikTok log id or publish id."
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in PublishAttempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
