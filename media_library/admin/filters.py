"""The media library's sidebar filters: readiness, and by tag.

The tag filter offers only tags from the workspaces the signed-in user belongs to.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from media_library.models import MediaAsset
from media_library.selectors import tag_list_for_workspaces
from workspaces.selectors import workspace_ids_for


class ReadinessFilter(admin.SimpleListFilter):
    """``?ready=`` ``yes`` / ``no`` / ``checking`` / ``unreadable``: the same four
    verdicts, in the same words, as the cards' badges (``readiness_of``)."""

    title = "readiness"
    parameter_name = "ready"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("yes", "Ready for TikTok"),
            ("no", "Not ready for TikTok"),
            ("checking", "Checking the file"),
            ("unreadable", "Cannot be read"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        probed = MediaAsset.ProbeStatus.PROBED
        conditions: dict[str, dict[str, Any]] = {
            "yes": {"probe_status": probed, "is_tiktok_ready": True},
            "no": {"probe_status": probed, "is_tiktok_ready": False},
            "checking": {"probe_status": MediaAsset.ProbeStatus.PENDING},
            "unreadable": {"probe_status": MediaAsset.ProbeStatus.FAILED},
        }
        value = self.value()
        if value in conditions:
            return queryset.filter(**conditions[value])
        return queryset


class TagFilter(admin.SimpleListFilter):
    """``?tag=<id>``: assets carrying that tag, chosen from the user's workspaces."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        tags = tag_list_for_workspaces(workspace_ids=workspace_ids_for(request.user))
        return [
            (tag.pk, f"{tag.name} ({tag.workspace.name})")
            for tag in tags.select_related("workspace")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(tags__pk=int(value))
        return queryset
