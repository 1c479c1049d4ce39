"""The media asset list's bulk actions: make TikTok-ready, probe again, (un)tag.

Each action calls one service per selection and reports the outcome as admin
messages; the tag actions read the tag name from the action bar's box
(``TagActionForm``). All of them need the change permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from media_library.services.conversions import media_conversion_request
from media_library.services.probing import media_asset_request_probe
from media_library.services.tags import media_asset_add_tags, media_asset_remove_tags


@admin.action(
    description="Make TikTok-ready (convert to a new asset)", permissions=["change"]
)
def make_tiktok_ready(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Queue a conversion of each selected asset; a refusal is shown in words."""
    queued, refused = 0, []
    for asset in queryset:
        try:
            media_conversion_request(asset_id=asset.pk, requested_by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        else:
            queued += 1
    if queued:
        modeladmin.message_user(
            request,
            ngettext(
                "%d conversion queued; its progress shows on the asset's page.",
                "%d conversions queued; their progress shows on each asset's page.",
                queued,
            )
            % queued,
            messages.SUCCESS,
        )
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


@admin.action(description="Probe again", permissions=["change"])
def probe_again(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Queue a fresh probe of each selected asset."""
    count = media_asset_request_probe(asset_ids=queryset.values_list("pk", flat=True))
    modeladmin.message_user(
        request,
        ngettext("%d asset queued for probing.", "%d assets queued for probing.", count)
        % count,
        messages.SUCCESS,
    )


@admin.action(description="Add the tag to selected assets", permissions=["change"])
def add_tag(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Tag the selected assets with the typed name, from each asset's workspace."""
    name = _action_tag(modeladmin, request)
    if name is None:
        return
    added = media_asset_add_tags(
        asset_ids=queryset.values_list("pk", flat=True), names=[name]
    )
    modeladmin.message_user(
        request,
        ngettext("Tagged %d asset.", "Tagged %d assets.", added) % added,
        messages.SUCCESS,
    )


@admin.action(description="Remove the tag from selected assets", permissions=["change"])
def remove_tag(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Remove the typed tag name from the selected assets."""
    name = _action_tag(modeladmin, request)
    if name is None:
        return
    removed = media_asset_remove_tags(
        asset_ids=queryset.values_list("pk", flat=True), names=[name]
    )
    modeladmin.message_user(
        request,
        ngettext("Untagged %d asset.", "Untagged %d assets.", removed) % removed,
        messages.SUCCESS,
    )


def _action_tag(modeladmin: admin.ModelAdmin[Any], request: HttpRequest) -> str | None:
    name = (request.POST.get("tag") or "").strip()
    if not name:
        modeladmin.message_user(
            request, "Type a tag name next to the action first.", messages.ERROR
        )
        return None
    return name
