"""The asset page's conversion panel: its context, JSON progress feed and button.

``<id>/conversions/`` (URL name ``media_library_mediaasset_conversions``) returns
the asset's latest conversions as JSON for the panel's progress bars, and a POST
to ``<id>/make-ready/`` (``media_library_mediaasset_make_ready``) queues
"Make TikTok-ready" from the page. Both see only assets in the user's workspaces.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import path, reverse

from media_library.conversion import ConversionNotPossibleError, plan_conversion
from media_library.models import MediaAsset
from media_library.selectors import media_conversion_list_for_asset, media_facts_of
from media_library.services.conversions import media_conversion_request


class MediaAssetConversionViews(admin.ModelAdmin):
    """Mixed into ``MediaAssetAdmin``: the extra URLs and the change page's context."""

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                "<path:object_id>/conversions/",
                self.admin_site.admin_view(self.conversions_view),
                name=f"{prefix}_conversions",
            ),
            path(
                "<path:object_id>/make-ready/",
                self.admin_site.admin_view(self.make_ready_view),
                name=f"{prefix}_make_ready",
            ),
        ]
        return extra + super().get_urls()

    def _scoped_asset(self, request: HttpRequest, object_id: str) -> MediaAsset:
        asset = self.get_object(request, object_id)
        if asset is None:
            raise Http404(f"No media asset with id {object_id} in your workspaces.")
        if not self.has_view_or_change_permission(request, asset):
            raise PermissionDenied
        return asset

    def conversions_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """The asset's 20 latest conversions: status, progress 0..1, error, result."""
        asset = self._scoped_asset(request, object_id)
        conversions = media_conversion_list_for_asset(asset_id=asset.pk)
        return JsonResponse(
            {
                "conversions": [
                    {
                        "id": conversion.pk,
                        "status": conversion.status,
                        "status_label": conversion.get_status_display(),
                        "progress": conversion.progress,
                        "is_active": conversion.is_active,
                        "error": conversion.error,
                        "result_url": reverse(
                            "admin:media_library_mediaasset_change",
                            args=[conversion.result_id],
                        )
                        if conversion.result_id
                        else None,
                    }
                    for conversion in conversions[:20]
                ]
            }
        )

    def make_ready_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST only: queue a conversion and return to the asset's page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        asset = self._scoped_asset(request, object_id)
        if not self.has_change_permission(request, asset):
            raise PermissionDenied
        try:
            media_conversion_request(asset_id=asset.pk, requested_by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.WARNING)
        else:
            self.message_user(
                request,
                "Conversion queued; a new asset appears here when it is done.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:media_library_mediaasset_change", args=[asset.pk])
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        asset = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if asset is not None:
            conversions = list(media_conversion_list_for_asset(asset_id=asset.pk)[:20])
            context |= {
                "conversions": conversions,
                "has_active_conversion": any(c.is_active for c in conversions),
                "can_convert": _can_convert(asset)
                and self.has_change_permission(request, asset),
            }
        return super().change_view(request, object_id, form_url, context)


def _can_convert(asset: MediaAsset) -> bool:
    """Whether "Make TikTok-ready" would help (a long video it cannot fix)."""
    if asset.probe_status != MediaAsset.ProbeStatus.PROBED or asset.is_tiktok_ready:
        return False
    try:
        plan_conversion(media_facts_of(asset))
    except ConversionNotPossibleError:
        return False
    return True
