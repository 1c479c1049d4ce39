"""The media asset admin's forms: the upload form, the edit form and the tag box.

The upload form probes the file inside the request, before anything is stored,
so an unreadable or hostile file is refused on the form; the edit form keeps tags
inside the asset's workspace and the cover moment inside the video.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from media_library.inspection import InspectedMedia
from media_library.models import MediaAsset
from media_library.services.assets import media_file_check


class MediaAssetUploadForm(forms.ModelForm):
    """The add page: a workspace, the file, and comma-separated tag names.

    ``clean_upload`` refuses a file over ``MEDIA_MAX_FILE_BYTES`` or one the probe
    refuses, and keeps the probe's result in ``inspected`` for the save.
    """

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
        """The typed tag names, blanks dropped."""
        raw = self.cleaned_data.get("tag_names") or ""
        return [name for name in raw.split(",") if name.strip()]


class MediaAssetChangeForm(forms.ModelForm):
    """The change page: the asset's tags and its cover moment, nothing else editable."""

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
    """The list's action bar with a tag name box for the add/remove tag actions."""

    tag = forms.CharField(
        required=False,
        label="Tag",
        help_text="For the tag actions.",
        widget=forms.TextInput(attrs={"placeholder": "tag name", "size": 16}),
    )
