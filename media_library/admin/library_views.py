"""The media library page: a grid of cards, many-file upload and live badges.

The changelist renders as a grid (``change_list.html``), one card per asset
(``card.html``) with its thumbnail and readiness badge (``readiness_of``). Two
JSON endpoints serve ``static/media_library/library.js``:

- a POST to the add URL with the header ``X-Postdeck-Upload: 1`` stores one file
  (fields ``workspace`` and ``file``) and answers ``{"ok": true, "created":
  bool, "id": int, "card": <html>, "message": str}``, or ``{"ok": false,
  "error": str}`` with status 400 (refused file, wrong workspace) or 403. The
  add URL is the one ``config.limits`` allows large bodies on.
- ``live/?ids=1,2`` (URL name ``media_library_mediaasset_live``) answers
  ``{"cards": {"<id>": {"html": <card>, "live": bool}}}`` for those of the ids
  in the user's workspaces; the page asks every few seconds while any card is
  live (being probed or converted) and stops when none is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import path

from media_library.inspection import MediaRefusedError
from media_library.models import MediaAsset, MediaConversion
from media_library.readiness import readiness_of
from media_library.services.assets import media_asset_create
from workspaces.models import Workspace
from workspaces.selectors import workspace_ids_for

UPLOAD_HEADER = "X-Postdeck-Upload"
MAX_LIVE_IDS = 200
CARD_TEMPLATE = "admin/media_library/mediaasset/card.html"


class MediaLibraryViews(admin.ModelAdmin):
    """Mixed into ``MediaAssetAdmin``: the grid's context, upload and live feed."""

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                "live/",
                self.admin_site.admin_view(self.live_view),
                name=f"{prefix}_live",
            )
        ]
        return extra + super().get_urls()

    def get_queryset(self, request: HttpRequest) -> QuerySet[MediaAsset]:
        running = MediaConversion.objects.filter(
            source_id=OuterRef("pk"),
            status__in=[
                MediaConversion.Status.PENDING,
                MediaConversion.Status.RUNNING,
            ],
        )
        return super().get_queryset(request).annotate(is_converting=Exists(running))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        context = {"title": "Media library", **(extra_context or {})}
        context["upload_workspaces"] = _workspaces_for(request)
        context["can_upload"] = self.has_add_permission(request)
        return super().changelist_view(request, context)

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and request.headers.get(UPLOAD_HEADER) == "1":
            return self.upload_view(request)
        return super().add_view(request, form_url, extra_context)

    def upload_view(self, request: HttpRequest) -> JsonResponse:
        """Store one uploaded file in one of the user's workspaces (see module)."""
        if not self.has_add_permission(request):
            return JsonResponse(
                {"ok": False, "error": "You may not add media."}, status=403
            )
        upload = request.FILES.get("file")
        if upload is None:
            return _refusal("Choose a file to upload.")
        workspace = _chosen_workspace(request)
        if workspace is None:
            return _refusal("Choose one of your workspaces for the file.")
        try:
            result = media_asset_create(
                workspace_id=workspace.pk,
                file=upload,
                original_filename=upload.name or "upload",
                uploaded_by=request.user,  # type: ignore[arg-type]
            )
        except MediaRefusedError as refusal:
            return _refusal(refusal.reason)
        except ValidationError as error:
            return _refusal(" ".join(error.messages))
        asset = self.get_queryset(request).get(pk=result.asset.pk)
        if not result.created:
            message = "Already in the library; the existing copy is shown."
        else:
            message = readiness_of(asset).label
        return JsonResponse(
            {
                "ok": True,
                "created": result.created,
                "id": asset.pk,
                "card": render_card(asset),
                "message": message,
            },
            status=201 if result.created else 200,
        )

    def live_view(self, request: HttpRequest) -> JsonResponse:
        """The current cards of the requested ids in the user's workspaces."""
        ids = [
            int(part)
            for part in request.GET.get("ids", "").split(",")
            if part.isdigit()
        ]
        assets = self.get_queryset(request).filter(pk__in=ids[:MAX_LIVE_IDS])
        return JsonResponse(
            {
                "cards": {
                    str(asset.pk): {
                        "html": render_card(asset),
                        "live": _readiness(asset).live,
                    }
                    for asset in assets
                }
            }
        )


def render_card(asset: MediaAsset) -> str:
    """One grid card's HTML (``card.html``) for ``asset`` from ``get_queryset``."""
    return render_to_string(
        CARD_TEMPLATE, {"asset": asset, "readiness": _readiness(asset)}
    )


def _readiness(asset: MediaAsset) -> Any:
    return readiness_of(asset, converting=bool(getattr(asset, "is_converting", False)))


def _workspaces_for(request: HttpRequest) -> list[Workspace]:
    ids = workspace_ids_for(request.user)
    workspaces = Workspace.objects.order_by("name")
    if ids is not None:
        workspaces = workspaces.filter(pk__in=ids)
    return list(workspaces)


def _chosen_workspace(request: HttpRequest) -> Workspace | None:
    raw = request.POST.get("workspace", "")
    if not raw.isdigit():
        return None
    ids = workspace_ids_for(request.user)
    if ids is not None and int(raw) not in ids:
        return None
    return Workspace.objects.filter(pk=int(raw)).first()


def _refusal(reason: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": reason}, status=400)
