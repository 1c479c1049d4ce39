"""Media files for signed-in members of the file's workspace, never publicly.

Every file under ``MEDIA_URL`` goes through ``media_file``: the name must be an
asset's file, thumbnail or cover frame, and the user active staff of that
asset's workspace (superusers: any). Everyone else gets 404, so the answer does
not tell whether a file exists. Single byte ranges are answered, so videos seek.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from media_library.selectors import media_asset_for_stored_name
from workspaces.selectors import workspace_ids_for

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK_BYTES = 512 * 1024
# Only the signed-in browser may keep a copy, and only briefly.
CACHE_CONTROL = "private, max-age=300"


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """Stream stored file ``path`` to a member of its workspace; 404 otherwise.

    Answers 200 with the whole file, or 206 for a satisfiable single
    ``Range: bytes=a-b`` (416 if it lies past the end). Content type: the
    asset's sniffed MIME type, ``image/jpeg`` for thumbnails and cover frames.
    """
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404
    found = media_asset_for_stored_name(path)
    if found is None:
        raise Http404
    asset, content_type = found
    allowed = workspace_ids_for(user)
    if allowed is not None and asset.workspace_id not in allowed:
        raise Http404
    try:
        size = default_storage.size(path)
        stored = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    byte_range = _requested_range(request.headers.get("Range", ""), size)
    if byte_range is None:
        response: HttpResponseBase = FileResponse(stored, content_type=content_type)
        response["Content-Length"] = str(size)
    elif byte_range == (-1, -1):
        stored.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = byte_range
        response = StreamingHttpResponse(
            _read_range(stored, start, end), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Disposition"] = "inline"
    return response


def _requested_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single range; None for the whole file;
    (-1, -1) if the range cannot be satisfied."""
    match = RANGE.match(header.strip())
    if match is None or not any(match.groups()):
        return None
    first, last = match.groups()
    if not first:
        # "bytes=-N": the last N bytes.
        start, end = max(size - int(last), 0), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if size == 0 or start >= size or start > end:
        return (-1, -1)
    return start, end


def _read_range(stored: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    try:
        stored.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            block = stored.read(min(BLOCK_BYTES, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        stored.close()
