"""The tag admin: each workspace's tags with how many assets carry them.

Tags are created from the asset pages and the tag actions; this list is where
they are renamed, searched and deleted.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from media_library.models import Tag
from workspaces.admin_scoping import WorkspaceScopedAdmin


@admin.register(Tag)
class TagAdmin(WorkspaceScopedAdmin):
    """Workspace-scoped list of tags, sortable by the number of assets."""

    list_display = ["name", "workspace", "asset_count", "created_at"]
    list_filter = [("workspace", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["workspace"]
    search_fields = ["name"]
    search_help_text = "Search by tag name."
    readonly_fields = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(n_assets=Count("assets"))

    @admin.display(description="Assets", ordering="n_assets")
    def asset_count(self, obj: Tag) -> int:
        return obj.n_assets  # type: ignore[attr-defined]
