"""The conversion admin: a read-only history of "Make TikTok-ready" runs.

Conversions are started from the asset list or page and written only by the
conversion services; here they are listed with their progress and outcome.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from media_library.models import MediaConversion
from workspaces.admin_scoping import WorkspaceScopedAdmin


@admin.register(MediaConversion)
class MediaConversionAdmin(WorkspaceScopedAdmin):
    """Workspace-scoped (through the source asset), view-only list of conversions."""

    workspace_path = "source__workspace"
    list_display = ["source", "status", "progress_bar", "result", "created_at"]
    list_filter = ["status"]
    list_select_related = ["source", "result"]
    search_fields = ["source__original_filename"]
    search_help_text = "Search by the source's file name."
    date_hierarchy = "created_at"
    readonly_fields = [
        "source",
        "result",
        "status",
        "progress_bar",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    fields = list(readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Progress", ordering="progress")
    def progress_bar(self, obj: MediaConversion) -> str:
        return format_html(
            '<progress max="1" value="{}"></progress> {}%',
            obj.progress,
            round(obj.progress * 100),
        )
