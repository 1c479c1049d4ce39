"""Media files for signed-in members of the file's workspace, never publicly.

Every file under ``MEDIA_URL`` goes through ``media_file``: the name must be an
asset's file, thumbnail or cover frame, and the user active staff of that
asset's workspace (superusers: any). Everyone else gets 404, so the answer does
not tell whether a file exists. Single byte ranges are answered, so videos seek.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from media_library.selectors import media_asset_for_stored_name
from media_library.streaming import stored_file_response
from workspaces.selectors import workspace_ids_for

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
    return stored_file_response(
        path,
        content_type=content_type,
        range_header=request.headers.get("Range", ""),
        cache_control=CACHE_CONTROL,
    )
