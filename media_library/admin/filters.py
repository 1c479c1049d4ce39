"""The media asset list's sidebar filters: TikTok-ready or not, and by tag.

The tag filter offers only tags from the workspaces the signed-in user belongs to.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from media_library.selectors import tag_list_for_workspaces
from workspaces.selectors import workspace_ids_for


class TikTokReadyFilter(admin.SimpleListFilter):
    """``?ready=yes`` or ``?ready=no``: assets within, or outside, TikTok's rules."""

    title = "TikTok check"
    parameter_name = "ready"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Ready"), ("no", "Not ready")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        if self.value() == "yes":
            return queryset.filter(is_tiktok_ready=True)
        if self.value() == "no":
            return queryset.filter(is_tiktok_ready=False)
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
