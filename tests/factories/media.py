from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from media_library.models import MediaAsset, MediaConversion, Tag, VerifiedUrlPrefix
from tests.factories.workspaces import WorkspaceFactory


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


class TagFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class MediaConversionFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    """A "Make TikTok-ready" run, waiting for a worker."""

    class Meta:
        model = MediaConversion

    source = factory.SubFactory(MediaAssetFactory, is_tiktok_ready=False)


class VerifiedUrlPrefixFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = VerifiedUrlPrefix

    prefix = factory.Sequence(lambda n: f"https://cdn{n}.example.com/media/")
