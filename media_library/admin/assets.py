"""The media asset admin: upload, browse, edit and delete; every list workspace-scoped.

Uploads are probed inside the request, before anything is stored: Django spools
uploads over 2 MB to a temporary file (never into memory), the probe reads that
file in a limited child process, and an unreadable or hostile file is refused on
the form. Probing itself takes well under a second for files of a few hundred MB
(it reads headers and demuxes packets without decoding); for very large uploads
the transfer and the copy to storage dominate, and bulk work belongs to
``manage.py import_media``. The list's columns, actions and filters, the forms
and the conversion panel live in the sibling modules this class is built from.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from media_library.admin.actions import (
    add_tag,
    make_tiktok_ready,
    probe_again,
    remove_tag,
)
from media_library.admin.conversion_views import MediaAssetConversionViews
from media_library.admin.displays import MediaAssetDisplays
from media_library.admin.filters import ReadinessFilter, TagFilter
from media_library.admin.forms import (
    MediaAssetChangeForm,
    MediaAssetUploadForm,
    TagActionForm,
)
from media_library.admin.library_views import MediaLibraryViews
from media_library.models import MediaAsset, Tag
from media_library.services.assets import (
    media_asset_create,
    media_asset_delete,
    media_asset_set_cover,
)
from workspaces.admin_scoping import WorkspaceScopedAdmin
from workspaces.selectors import workspace_ids_for

#: What the probe found, read-only: listed once for the form and its fieldset.
PROBE_FIELDS = (
    "probe_status",
    "probe_error",
    "probed_at",
    "container",
    "video_codec",
    "audio_codec",
    "video_stream_count",
    "audio_stream_count",
    "duration_seconds",
    "frame_rate",
    "width",
    "height",
    "rotation",
    "bit_rate",
    "image_format",
    "exif_orientation",
)


@admin.register(MediaAsset)
class MediaAssetAdmin(
    MediaAssetDisplays,
    MediaLibraryViews,
    MediaAssetConversionViews,
    WorkspaceScopedAdmin,
):
    """Media assets of the user's workspaces as a grid of cards (many-file upload
    and live badges: ``library_views``); the add page is the one-file form."""

    change_form_template = "admin/media_library/mediaasset/change_form.html"
    action_form = TagActionForm
    list_display = [
        "preview",
        "original_filename",
        "kind",
        "workspace",
        "human_size",
        "dimensions",
        "duration",
        "is_tiktok_ready",
        "tag_list",
        "created_at",
    ]
    list_display_links = ["preview", "original_filename"]
    list_filter = [
        ReadinessFilter,
        "kind",
        ("workspace", admin.RelatedOnlyFieldListFilter),
        TagFilter,
    ]
    list_select_related = ["workspace"]
    list_per_page = 50
    search_fields = ["original_filename", "^sha256"]
    search_help_text = "Search by file name, or by the start of the SHA-256."
    date_hierarchy = "created_at"
    actions = [make_tiktok_ready, probe_again, add_tag, remove_tag]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "preview",
        "workspace",
        "kind",
        "original_filename",
        "sha256",
        "size_bytes",
        "mime_type",
        *PROBE_FIELDS,
        "validation_list",
        "tiktok_ready",
        "pull_url",
        "source_asset",
        "uploaded_by_name",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["workspace", "original_filename", "kind", "tags"]}),
        (
            "TikTok checks",
            {
                "fields": [
                    "tiktok_ready",
                    "validation_list",
                    "cover_timestamp_ms",
                    "pull_url",
                ]
            },
        ),
        (
            "Probe",
            {
                # The panel above the form summarises these; all of them are here.
                "classes": ["collapse"],
                "fields": PROBE_FIELDS,
            },
        ),
        (
            "File",
            {
                "classes": ["collapse"],
                "fields": [
                    "sha256",
                    "size_bytes",
                    "mime_type",
                    "source_asset",
                    "uploaded_by_name",
                    "created_at",
                ],
            },
        ),
    ]

    @admin.display(description="Uploaded by")
    def uploaded_by_name(self, obj: MediaAsset) -> str:
        # A name, not a link: most staff may not open user pages (a 403).
        user = obj.uploaded_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[MediaAsset]:
        return (
            super()
            .get_queryset(request)
            .select_related("workspace")
            .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = (
            MediaAssetChangeForm if obj is not None else MediaAssetUploadForm
        )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["workspace", "upload", "tag_names"]})]
        fieldsets = super().get_fieldsets(request, obj)
        if obj.kind != MediaAsset.Kind.PHOTO:
            return fieldsets
        return [
            (name, {**options, "fields": _without_video_fields(options["fields"])})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        workspace_ids = workspace_ids_for(request.user)
        if workspace_ids is not None and len(workspace_ids) == 1:
            initial.setdefault("workspace", next(iter(workspace_ids)))
        return initial

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        match = request.resolver_match
        asset_id = match.kwargs.get("object_id") if match is not None else None
        if db_field.name == "tags" and field is not None and asset_id:
            choices = cast(QuerySet[Tag], field.queryset)
            asset = MediaAsset.objects.filter(pk=asset_id).only("workspace_id").first()
            if asset is not None:
                field.queryset = choices.filter(workspace_id=asset.workspace_id)
        return field

    def save_model(
        self, request: HttpRequest, obj: MediaAsset, form: Any, change: bool
    ) -> None:
        if change:
            if "cover_timestamp_ms" in form.changed_data:
                media_asset_set_cover(
                    asset_id=obj.pk, cover_timestamp_ms=obj.cover_timestamp_ms
                )
            return
        upload = form.cleaned_data["upload"]
        result = media_asset_create(
            workspace_id=form.cleaned_data["workspace"].pk,
            file=upload,
            original_filename=upload.name,
            uploaded_by=request.user,  # type: ignore[arg-type]
            tags=form.tag_list(),
            inspected=form.inspected,
        )
        obj.pk = result.asset.pk
        obj.__dict__.update(result.asset.__dict__)
        obj.was_created = result.created  # type: ignore[attr-defined]
        if not result.created:
            self.message_user(
                request,
                "This file is already in the library; the existing copy is shown.",
                messages.INFO,
            )
        elif not result.asset.is_tiktok_ready:
            self.message_user(
                request,
                "Stored, but TikTok would refuse it as it is: see the checks below, "
                'or use "Make TikTok-ready".',
                messages.WARNING,
            )

    def response_add(
        self,
        request: HttpRequest,
        obj: MediaAsset,
        post_url_continue: str | None = None,
    ) -> HttpResponse:
        # After an upload the useful page is the asset itself: the player, the
        # probe and the checks, not the list.
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        if getattr(obj, "was_created", False):
            self.message_user(request, f"{obj} was added.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:media_library_mediaasset_change", args=[obj.pk])
        )

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def delete_model(self, request: HttpRequest, obj: MediaAsset) -> None:
        media_asset_delete(asset_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for asset_id in queryset.values_list("pk", flat=True):
            media_asset_delete(asset_id=asset_id)


# Cover frames, codecs and tracks are video matters; a photo's page omits them.
VIDEO_ONLY_FIELDS = frozenset(
    {
        "cover_timestamp_ms",
        "container",
        "video_codec",
        "audio_codec",
        "video_stream_count",
        "audio_stream_count",
        "duration_seconds",
        "frame_rate",
        "rotation",
        "bit_rate",
    }
)


def _without_video_fields(fields: Any) -> list[Any]:
    return [name for name in fields if name not in VIDEO_ONLY_FIELDS]
