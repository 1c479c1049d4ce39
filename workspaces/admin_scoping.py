"""Workspace isolation for every admin page.

Staff see and touch only the objects of workspaces they are members of: lists,
change and delete views, autocomplete answers, foreign-key choices, list filters
and actions all go through ``get_queryset``. Superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404, HttpRequest

from workspaces.models import Workspace
from workspaces.selectors import workspace_ids_for


def scope_queryset(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Filter any queryset of a workspace-owned model to the user's workspaces."""
    workspace_ids = workspace_ids_for(request.user)
    if workspace_ids is None:
        return queryset
    path = workspace_path_of(queryset.model)
    if path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": workspace_ids})


def workspace_path_of(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its workspace id, or None if it has none."""
    if model is Workspace:
        return "pk"
    return getattr(model, "WORKSPACE_PATH", None) or (
        "workspace" if _has_field(model, "workspace") else None
    )


def _has_field(model: type[Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the user's workspaces."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return _scoped(field, request)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        return _scoped(field, request)


def _scoped(field: Any, request: HttpRequest) -> Any:
    if field is not None and getattr(field, "queryset", None) is not None:
        field.queryset = scope_queryset(field.queryset, request)
    return field


class WorkspaceScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Base for every ModelAdmin that shows workspace-owned objects."""

    #: Lookup from this admin's model to the workspace primary key.
    workspace_path = "workspace"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        workspace_ids = workspace_ids_for(request.user)
        if workspace_ids is None:
            return queryset
        return queryset.filter(**{f"{self.workspace_path}__in": workspace_ids})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # An object of another workspace looks exactly like one that does not exist.
        raise Http404(f"No {opts.verbose_name} with id {object_id} in your workspaces.")


class WorkspaceScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline whose choices are limited to the user's workspaces."""
