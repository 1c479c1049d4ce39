from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from cms.admin.scoping import WorkspaceScopedAdmin
from media_library.models import MediaAsset
from media_library.services import media_asset_create, media_file_check


class MediaAssetUploadForm(forms.ModelForm):  # type: ignore[type-arg]
    upload = forms.FileField(
        label="File",
        help_text="A video (MP4, MOV, WebM) or a photo (JPEG, WebP, PNG).",
    )

    class Meta:
        model = MediaAsset
        fields = ["workspace"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        media_file_check(file=upload, original_filename=upload.name)
        return upload


@admin.register(MediaAsset)
class MediaAssetAdmin(WorkspaceScopedAdmin):
    list_display = [
        "preview",
        "original_filename",
        "kind",
        "workspace",
        "human_size",
        "dimensions",
        "duration_seconds",
        "is_tiktok_ready",
        "created_at",
    ]
    list_display_links = ["preview", "original_filename"]
    list_filter = [
        "kind",
        "is_tiktok_ready",
        "probe_status",
        ("workspace", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["workspace"]
    search_fields = ["original_filename", "sha256"]
    search_help_text = "Search by file name or SHA-256."
    date_hierarchy = "created_at"
    readonly_fields = [
        "preview",
        "kind",
        "original_filename",
        "sha256",
        "size_bytes",
        "mime_type",
        "probe_status",
        "container",
        "video_codec",
        "audio_codec",
        "duration_seconds",
        "frame_rate",
        "width",
        "height",
        "rotation",
        "bit_rate",
        "image_format",
        "exif_orientation",
        "validation_errors",
        "is_tiktok_ready",
        "source_asset",
        "uploaded_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["preview", "workspace", "original_filename", "kind"]}),
        (
            "TikTok checks",
            {"fields": ["is_tiktok_ready", "validation_errors", "cover_timestamp_ms"]},
        ),
        (
            "Probe",
            {
                "fields": [
                    "probe_status",
                    "container",
                    "video_codec",
                    "audio_codec",
                    "duration_seconds",
                    "frame_rate",
                    "width",
                    "height",
                    "rotation",
                    "bit_rate",
                    "image_format",
                    "exif_orientation",
                ]
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

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = MediaAssetUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["workspace", "upload"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: MediaAsset, form: Any, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["workspace", "cover_timestamp_ms"])
            return
        upload = form.cleaned_data["upload"]
        result = media_asset_create(
            workspace_id=form.cleaned_data["workspace"].pk,
            file=upload,
            original_filename=upload.name,
            uploaded_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = result.asset.pk
        obj.__dict__.update(result.asset.__dict__)
        if not result.created:
            self.message_user(
                request,
                "This file is already in the library; the existing copy is shown.",
                messages.INFO,
            )

    @admin.display(description="Preview")
    def preview(self, obj: MediaAsset) -> str:
        if obj.thumbnail:
            return format_html(
                '<img src="{}" alt="" style="max-height:64px;max-width:96px">',
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
        return "—"
