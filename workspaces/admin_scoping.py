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
from workspaces.selectors import user_only_reviews_for_clients, workspace_ids_for


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


def is_client_reviewer_only(request: HttpRequest) -> bool:
    """``user_only_reviews_for_clients`` for the request's user, asked once
    per request (every model of the sidebar asks)."""
    cached = getattr(request, "_postdeck_client_reviewer_only", None)
    if cached is None:
        cached = user_only_reviews_for_clients(request.user)
        request._postdeck_client_reviewer_only = cached  # type: ignore[attr-defined]
    return cached


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

    # A client reviewer sees no model, whatever group they were put in: not
    # in the sidebar, and every list, form and action answers 403.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return not is_client_reviewer_only(request) and super().has_module_permission(
            request
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not is_client_reviewer_only(request) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not is_client_reviewer_only(request) and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not is_client_reviewer_only(request) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not is_client_reviewer_only(request) and super().has_delete_permission(
            request, obj
        )

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
