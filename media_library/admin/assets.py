"""Media library admin: upload, browse, inspect, convert; every list workspace-scoped.

Uploads are probed inside the request, before anything is stored: Django spools
uploads over 2 MB to a temporary file (never into memory), the probe reads that
file in a limited child process, and an unreadable or hostile file is refused on
the form. Probing itself takes well under a second for files of a few hundred MB
(it reads headers and demuxes packets without decoding); for very large uploads
the transfer and the copy to storage dominate, and bulk work belongs to
``manage.py import_media``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from media_library.conversion import ConversionNotPossibleError, plan_conversion
from media_library.inspection import InspectedMedia
from media_library.models import MediaAsset, MediaConversion, Tag, VerifiedUrlPrefix
from media_library.selectors import (
    media_asset_pull_url,
    media_conversion_list_for_asset,
    media_facts_of,
    tag_list_for_workspaces,
)
from media_library.services.assets import (
    media_asset_create,
    media_asset_delete,
    media_asset_set_cover,
    media_file_check,
)
from media_library.services.conversions import media_conversion_request
from media_library.services.probing import media_asset_request_probe
from media_library.services.tags import media_asset_add_tags, media_asset_remove_tags
from workspaces.admin_scoping import WorkspaceScopedAdmin
from workspaces.selectors import workspace_ids_for


class MediaAssetUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="File",
        help_text="A video (MP4, MOV, WebM) or a photo (JPEG, WebP, PNG). It is "
        "checked before it is stored.",
    )
    tag_names = forms.CharField(
        label="Tags",
        required=False,
        help_text="Comma-separated; new tags are created in the workspace.",
    )

    class Meta:
        model = MediaAsset
        fields = ["workspace"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = settings.MEDIA_MAX_FILE_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"{upload.name} is {filesizeformat(upload.size)}, more than the "
                f"library's limit of {filesizeformat(limit)}."
            )
        self.inspected: InspectedMedia = media_file_check(
            file=upload, original_filename=upload.name
        )
        return upload

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tag_names") or ""
        return [name for name in raw.split(",") if name.strip()]


class MediaAssetChangeForm(forms.ModelForm):
    class Meta:
        model = MediaAsset
        fields = ["tags", "cover_timestamp_ms"]

    def clean_tags(self) -> Any:
        tags = self.cleaned_data["tags"]
        foreign = [
            tag for tag in tags if tag.workspace_id != self.instance.workspace_id
        ]
        if foreign:
            raise ValidationError(
                "Tags must come from the asset's own workspace: "
                + ", ".join(str(tag) for tag in foreign)
            )
        return tags

    def clean_cover_timestamp_ms(self) -> Any:
        value = self.cleaned_data["cover_timestamp_ms"]
        asset = self.instance
        if asset.kind != MediaAsset.Kind.VIDEO:
            return asset.cover_timestamp_ms  # photos have no cover moment
        if asset.duration_seconds is not None and value > asset.duration_seconds * 1000:
            raise ValidationError(
                f"The video is {round(asset.duration_seconds * 1000)} ms long; choose "
                "a moment within it."
            )
        return value


class TagActionForm(ActionForm):
    tag = forms.CharField(
        required=False,
        label="Tag",
        help_text="For the tag actions.",
        widget=forms.TextInput(attrs={"placeholder": "tag name", "size": 16}),
    )


class TikTokReadyFilter(admin.SimpleListFilter):
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


@admin.register(MediaAsset)
class MediaAssetAdmin(WorkspaceScopedAdmin):
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
        "kind",
        TikTokReadyFilter,
        "probe_status",
        ("workspace", admin.RelatedOnlyFieldListFilter),
        TagFilter,
    ]
    list_select_related = ["workspace"]
    list_per_page = 50
    search_fields = ["original_filename", "^sha256"]
    search_help_text = "Search by file name, or by the start of the SHA-256."
    date_hierarchy = "created_at"
    actions = ["make_tiktok_ready", "probe_again", "add_tag", "remove_tag"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "preview",
        "workspace",
        "kind",
        "original_filename",
        "sha256",
        "size_bytes",
        "mime_type",
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
        "validation_list",
        "tiktok_ready",
        "pull_url",
        "source_asset",
        "uploaded_by",
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
                "fields": [
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
                ],
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
                    "uploaded_by",
                    "created_at",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MediaAsset]:
        return (
            super()
            .get_queryset(request)
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

    # --- list columns ---------------------------------------------------------

    @admin.display(description="Preview")
    def preview(self, obj: MediaAsset) -> str:
        if obj.thumbnail:
            return format_html(
                '<img src="{}" alt="" loading="lazy" class="postdeck-thumbnail">',
                obj.thumbnail.url,
            )
        return obj.get_kind_display()

    @admin.display(description="Size", ordering="size_bytes")
    def human_size(self, obj: MediaAsset) -> str:
        return filesizeformat(obj.size_bytes)

    @admin.display(description="Dimensions")
    def dimensions(self, obj: MediaAsset) -> str:
        if obj.width and obj.height:
            return f"{obj.width} x {obj.height}"
        return "-"

    @admin.display(description="Duration", ordering="duration_seconds")
    def duration(self, obj: MediaAsset) -> str:
        if obj.duration_seconds is None:
            return "-"
        whole = round(obj.duration_seconds)
        return f"{whole // 60}:{whole % 60:02d}"

    @admin.display(description="Tags")
    def tag_list(self, obj: MediaAsset) -> str:
        return ", ".join(tag.name for tag in obj.tags.all())

    # The model field's help text ("Probed and within every TikTok format rule")
    # would sit under a red cross too; the reasons follow in the next row.
    @admin.display(description="TikTok-ready", boolean=True)
    def tiktok_ready(self, obj: MediaAsset) -> bool:
        return obj.is_tiktok_ready

    @admin.display(description="Why TikTok would refuse it")
    def validation_list(self, obj: MediaAsset) -> str:
        if obj.probe_status == MediaAsset.ProbeStatus.FAILED:
            return obj.probe_error
        if obj.probe_status == MediaAsset.ProbeStatus.PENDING:
            return "Not probed yet."
        if not obj.validation_errors:
            return "Nothing: it is within every TikTok format rule."
        return format_html(
            '<ul class="validation-errors">{}</ul>',
            format_html_join("", "<li>{}</li>", ((e,) for e in obj.validation_errors)),
        )

    @admin.display(description="PULL_FROM_URL address")
    def pull_url(self, obj: MediaAsset) -> str:
        return media_asset_pull_url(obj) or (
            "None: not under a verified URL prefix, so it is uploaded with FILE_UPLOAD."
        )

    # --- actions --------------------------------------------------------------

    @admin.action(
        description="Make TikTok-ready (convert to a new asset)", permissions=["change"]
    )
    def make_tiktok_ready(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        queued, refused = 0, []
        for asset in queryset:
            try:
                media_conversion_request(asset_id=asset.pk, requested_by=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                refused.append(" ".join(error.messages))
            else:
                queued += 1
        if queued:
            self.message_user(
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
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description="Probe again", permissions=["change"])
    def probe_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = media_asset_request_probe(
            asset_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext(
                "%d asset queued for probing.", "%d assets queued for probing.", count
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description="Add the tag to selected assets", permissions=["change"])
    def add_tag(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        name = self._action_tag(request)
        if name is None:
            return
        added = media_asset_add_tags(
            asset_ids=queryset.values_list("pk", flat=True), names=[name]
        )
        self.message_user(
            request,
            ngettext("Tagged %d asset.", "Tagged %d assets.", added) % added,
            messages.SUCCESS,
        )

    @admin.action(
        description="Remove the tag from selected assets", permissions=["change"]
    )
    def remove_tag(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        name = self._action_tag(request)
        if name is None:
            return
        removed = media_asset_remove_tags(
            asset_ids=queryset.values_list("pk", flat=True), names=[name]
        )
        self.message_user(
            request,
            ngettext("Untagged %d asset.", "Untagged %d assets.", removed) % removed,
            messages.SUCCESS,
        )

    def _action_tag(self, request: HttpRequest) -> str | None:
        name = (request.POST.get("tag") or "").strip()
        if not name:
            self.message_user(
                request, "Type a tag name next to the action first.", messages.ERROR
            )
            return None
        return name

    # --- detail page extras ---------------------------------------------------

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


def _can_convert(asset: MediaAsset) -> bool:
    """Whether "Make TikTok-ready" would help (a long video it cannot fix)."""
    if asset.probe_status != MediaAsset.ProbeStatus.PROBED or asset.is_tiktok_ready:
        return False
    try:
        plan_conversion(media_facts_of(asset))
    except ConversionNotPossibleError:
        return False
    return True


@admin.register(Tag)
class TagAdmin(WorkspaceScopedAdmin):
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


@admin.register(MediaConversion)
class MediaConversionAdmin(WorkspaceScopedAdmin):
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


@admin.register(VerifiedUrlPrefix)
class VerifiedUrlPrefixAdmin(admin.ModelAdmin):
    """Global: URL ownership is verified per TikTok app, not per workspace."""

    list_display = ["prefix", "note", "created_at"]
    search_fields = ["prefix", "note"]
    search_help_text = "Search by prefix or note."
    readonly_fields = ["created_at"]
