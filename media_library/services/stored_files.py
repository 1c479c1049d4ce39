"""The files an asset owns in storage: its preview JPEGs saved, its files deleted.

Shared by the services that create, re-probe and delete assets, so every one of
them writes previews the same way and cleans up without hiding the real error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from media_library.inspection import InspectedMedia
from media_library.models import MediaAsset

logger = logging.getLogger(__name__)


def media_asset_save_previews(
    asset: MediaAsset, inspected: InspectedMedia
) -> list[str]:
    """Store the probe's thumbnail and cover JPEGs on ``asset`` without saving the row.

    A preview the probe could not render clears the field. Returns the storage
    names written, so a caller whose transaction fails can delete them again.
    """
    names: list[str] = []
    for field_file, content, name in (
        (asset.thumbnail, inspected.thumbnail_jpeg, "thumbnail.jpg"),
        (asset.cover_image, inspected.cover_jpeg, "cover.jpg"),
    ):
        if content:
            field_file.save(name, ContentFile(content), save=False)
            names.append(field_file.name or "")
        else:
            field_file.name = ""
    return names


def stored_files_delete(storage: Storage, names: Iterable[str | None]) -> None:
    """Delete each named file from ``storage``; empty names are skipped.

    Never raises: a file that cannot be deleted is logged, because this runs
    while cleaning up after another error or after a commit.
    """
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 (clean-up must not hide the real error)
            logger.warning("Could not delete stored media file %s", name)
