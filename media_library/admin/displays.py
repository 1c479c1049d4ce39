"""The media asset admin's computed columns and read-only fields, rendered as HTML.

Thumbnail preview, human size, dimensions, duration and tags for the list; the
TikTok verdict, the reasons TikTok would refuse the file and the PULL_FROM_URL
address for the asset's page.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join

from media_library.models import MediaAsset
from media_library.readiness import readiness_of
from media_library.selectors import media_asset_pull_url


class MediaAssetDisplays:
    """Mixed into ``MediaAssetAdmin``; each method is named in its columns or fields."""

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

    # Label and reasons come from readiness_of, as on the grid's badges, so the
    # words always match the verdict (never "within every rule" over a cross).
    @admin.display(description="TikTok verdict")
    def tiktok_ready(self, obj: MediaAsset) -> str:
        return readiness_of(obj).label

    @admin.display(description="Why")
    def validation_list(self, obj: MediaAsset) -> str:
        reasons = readiness_of(obj).reasons
        if not reasons:
            return "Nothing stands in the way: it is within every TikTok format rule."
        return format_html(
            '<ul class="validation-errors">{}</ul>',
            format_html_join("", "<li>{}</li>", ((reason,) for reason in reasons)),
        )

    @admin.display(description="PULL_FROM_URL address")
    def pull_url(self, obj: MediaAsset) -> str:
        return media_asset_pull_url(obj) or (
            "None: not under a verified URL prefix, so it is uploaded with FILE_UPLOAD."
        )
