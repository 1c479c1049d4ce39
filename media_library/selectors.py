"""Reads for the media library."""

from __future__ import annotations

from fractions import Fraction
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.db.models import Q, QuerySet

from media_library.framerate import frame_rate_from_details
from media_library.models import MediaAsset, MediaConversion, Tag, VerifiedUrlPrefix
from media_library.validation import MediaFacts


def media_facts_of(asset: MediaAsset) -> MediaFacts:
    """The rules' input rebuilt from a stored asset (no file access)."""
    details = asset.probe_details if isinstance(asset.probe_details, dict) else {}
    reading = frame_rate_from_details(details)
    rate = reading.rate
    if rate is None and asset.frame_rate:
        rate = Fraction(asset.frame_rate).limit_denominator(1001)
    return MediaFacts(
        kind=asset.kind,
        mime_type=asset.mime_type,
        size_bytes=asset.size_bytes,
        container=asset.container,
        video_codec=asset.video_codec,
        audio_codec=asset.audio_codec,
        video_stream_count=asset.video_stream_count,
        audio_stream_count=asset.audio_stream_count,
        duration_seconds=asset.duration_seconds,
        frame_rate=rate,
        variable_frame_rate=reading.variable,
        min_frame_rate=reading.min_fps,
        max_frame_rate=reading.max_fps,
        frame_rate_rounding=reading.rounding,
        width=asset.width,
        height=asset.height,
        rotation=asset.rotation,
        bit_rate=asset.bit_rate,
        image_format=asset.image_format,
        exif_orientation=asset.exif_orientation,
    )


def media_asset_ids_by_sha256(*, workspace_id: int) -> dict[str, int]:
    """Digests already in the workspace, for de-duplicating a batch up front."""
    return dict(
        MediaAsset.objects.filter(workspace_id=workspace_id).values_list("sha256", "pk")
    )


def media_asset_by_sha256(*, workspace_id: int, sha256: str) -> MediaAsset | None:
    return MediaAsset.objects.filter(workspace_id=workspace_id, sha256=sha256).first()


def media_asset_list_ready(*, workspace_id: int, kind: str) -> QuerySet[MediaAsset]:
    """Assets a post may use: probed and within every TikTok rule."""
    return MediaAsset.objects.filter(
        workspace_id=workspace_id, kind=kind, is_tiktok_ready=True
    ).order_by("-created_at")


def media_conversion_list_for_asset(*, asset_id: int) -> QuerySet[MediaConversion]:
    """Conversions made from an asset, newest first, with their results."""
    return (
        MediaConversion.objects.filter(source_id=asset_id)
        .select_related("result")
        .order_by("-created_at")
    )


def tag_list_for_workspaces(*, workspace_ids: set[int] | None) -> QuerySet[Tag]:
    tags = Tag.objects.all()
    if workspace_ids is not None:
        tags = tags.filter(workspace_id__in=workspace_ids)
    return tags.order_by("name")


def media_asset_public_url(asset: MediaAsset) -> str:
    """The file's absolute URL without any query string (signatures removed)."""
    url = urljoin(settings.BASE_URL + "/", asset.file.url)
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def media_asset_pull_url(asset: MediaAsset) -> str | None:
    """The URL TikTok can pull this asset from (PULL_FROM_URL), or None.

    TikTok only pulls https URLs under a prefix verified in its developer
    portal, without redirects (docs/tiktok.md §4.7, §10); any other asset is
    sent with FILE_UPLOAD. The bucket or CDN path must allow public reads.
    """
    if not asset.file:
        return None
    url = media_asset_public_url(asset)
    return url if url_is_under_verified_prefix(url) else None


def url_is_under_verified_prefix(url: str) -> bool:
    """Whether ``url`` starts with a prefix staff registered as verified at
    TikTok (scheme and host compared without case, the path exactly; §10)."""
    candidate = _comparable(url)
    return any(
        candidate.startswith(_comparable(prefix))
        for prefix in VerifiedUrlPrefix.objects.values_list("prefix", flat=True)
    )


def _comparable(url: str) -> str:
    # Scheme and host are case-insensitive; the path is not.
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


def media_asset_for_stored_name(name: str) -> tuple[MediaAsset, str] | None:
    """The asset a stored file belongs to, with the file's content type, or None.

    ``name`` is a storage name such as ``workspaces/3/media/<hex>.mp4``: an
    asset's own file (its sniffed MIME type) or its thumbnail or cover frame
    (always JPEG). Names no asset holds give None, so no other stored file
    can be reached through this.
    """
    if not name:
        return None
    asset = MediaAsset.objects.filter(
        Q(file=name) | Q(thumbnail=name) | Q(cover_image=name)
    ).first()
    if asset is None:
        return None
    if asset.file.name == name:
        return asset, asset.mime_type or "application/octet-stream"
    return asset, "image/jpeg"
