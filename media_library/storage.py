"""Where media files live in storage: random names under a per-workspace prefix."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

# Names are generated, never taken from the upload, so a filename cannot choose a
# path, overwrite another file, or carry an extension the web server would run.
ALLOWED_EXTENSIONS = {".mp4", ".mov", ".webm", ".jpg", ".jpeg", ".webp", ".png"}


def media_asset_upload_to(instance: Any, filename: str) -> str:
    extension = PurePosixPath(filename).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        extension = ".bin"
    return f"workspaces/{instance.workspace_id}/media/{uuid.uuid4().hex}{extension}"


def media_asset_derivative_upload_to(instance: Any, filename: str) -> str:
    extension = PurePosixPath(filename).suffix.lower() or ".jpg"
    return f"workspaces/{instance.workspace_id}/derived/{uuid.uuid4().hex}{extension}"
