"""Answer a GET for a stored file with its bytes, whole or one byte range.

Shared by the members-only media view and the public pull-media view TikTok
downloads from (docs/tiktok.md §4.7): both answer 200 with the whole file and an
exact ``Content-Length``, or 206 for a single satisfiable ``Range: bytes=a-b``
(416 past the end), and never redirect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK_BYTES = 512 * 1024


def stored_file_response(
    path: str, *, content_type: str, range_header: str, cache_control: str
) -> HttpResponseBase:
    """Stream storage name ``path`` (``range_header``: the request's ``Range``).

    Raises ``Http404`` if the storage has no such file.
    """
    try:
        size = default_storage.size(path)
        stored = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    byte_range = requested_range(range_header, size)
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
    response["Cache-Control"] = cache_control
    response["Content-Disposition"] = "inline"
    return response


def requested_range(header: str, size: int) -> tuple[int, int] | None:
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
