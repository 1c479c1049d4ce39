from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from media_library.models import MediaAsset
from tests.factories.cms import WorkspaceFactory


class MediaAssetFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    """A library row with placeholder bytes; tests of probing make real media."""

    class Meta:
        model = MediaAsset

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = MediaAsset.Kind.VIDEO
    original_filename = factory.Sequence(lambda n: f"clip-{n}.mp4")
    file = factory.LazyAttribute(
        lambda asset: ContentFile(b"bytes of " + asset.original_filename.encode(),
                                  name=asset.original_filename)
    )  # fmt: skip
    sha256 = factory.LazyAttribute(
        lambda asset: hashlib.sha256(asset.original_filename.encode()).hexdigest()
    )
    size_bytes = 1024
    mime_type = "video/mp4"
    width = 1080
    height = 1920
    duration_seconds = 12.0
    frame_rate = 30.0
    is_tiktok_ready = True
