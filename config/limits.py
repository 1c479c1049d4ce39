"""Request-size limits applied before Django reads a body.

Django spools an upload to disk while it parses the body, so a size rule checked
in a form runs only after the whole body is on disk. ``RequestSizeLimitMiddleware``
refuses a request whose declared Content-Length is over its URL's limit with 413
before anything reads the body; ``RequestSizeLimitUploadHandler`` stops a body
that turns out longer than allowed while it streams (a server that passes a
body without a trustworthy length). gunicorn has no body-size limit of its own,
so the reverse proxy in front should refuse the same sizes first (README:
"Request size").

Limits (bytes):
- the media library's upload page: ``MEDIA_MAX_FILE_BYTES`` plus
  ``MULTIPART_OVERHEAD_BYTES`` for the multipart framing and the form's other
  fields;
- the sandbox's upload endpoint (sandbox mode only): one final chunk, 128 MB
  (docs/tiktok.md §4.6), plus the same overhead;
- everything else: ``REQUEST_MAX_BYTES`` (default 10 MiB). No other page takes
  files; the largest other bodies are admin forms and webhooks (capped at 1 MiB).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.log import log_response

MULTIPART_OVERHEAD_BYTES = 1024 * 1024
SANDBOX_UPLOAD_MAX_BYTES = 128 * 1000 * 1000 + MULTIPART_OVERHEAD_BYTES


def request_body_limit(path: str) -> int:
    """The most bytes a request body to ``path`` (request.path_info) may have."""
    try:
        media_upload = reverse("admin:media_library_mediaasset_add")
    except NoReverseMatch:
        media_upload = None
    if path == media_upload:
        return int(settings.MEDIA_MAX_FILE_BYTES) + MULTIPART_OVERHEAD_BYTES
    if settings.TIKTOK_SANDBOX and path.startswith(
        f"/{settings.TIKTOK_SANDBOX_PREFIX}upload"
    ):
        return SANDBOX_UPLOAD_MAX_BYTES
    return int(settings.REQUEST_MAX_BYTES)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Answer 413 to a request declaring a body over its URL's limit, unread.

    Goes first in MIDDLEWARE so no other middleware touches the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        if declared is not None and declared > int(settings.REQUEST_MAX_BYTES):
            limit = request_body_limit(request.path_info)
            if declared > limit:
                response = HttpResponse(
                    f"Request body too large: {declared} bytes declared, at most "
                    f"{limit} accepted here.\n",
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
                log_response(
                    "Request body too large: %s",
                    request.path,
                    response=response,
                    request=request,
                )
                return response
        return self.get_response(request)


class RequestSizeLimitUploadHandler(FileUploadHandler):
    """First upload handler: counts every file byte Django receives and stops
    the upload (``RequestDataTooBig``, answered 400) once it passes the limit,
    before the next chunk reaches the temporary file."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        path = request.path_info if request is not None else ""
        self.limit = request_body_limit(path)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(
                f"Upload passed {self.limit} bytes; refused before storing more."
            )
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None
