"""The chunk PUT to ``upload_url`` (docs/tiktok.md §4.6). No Authorization: the
upload id and token in the URL are the credential, and the URL dies after 1 h."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from tiktok_sandbox.errors import SandboxUploadError
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.rules import parse_content_range
from tiktok_sandbox.services.faults import sandbox_fault_take
from tiktok_sandbox.services.uploads import (
    chunk_number_for,
    sandbox_upload_chunk,
    sandbox_upload_target,
)
from tiktok_sandbox.views.common import (
    Call,
    apply_fault_before,
    finish,
    method_not_allowed,
    require_sandbox,
)


def _progress(uploaded_bytes: int, total: int) -> str:
    # Inclusive last byte received; with nothing received, RFC 9110's form.
    if uploaded_bytes <= 0:
        return f"bytes */{total}"
    return f"bytes 0-{uploaded_bytes - 1}/{total}"


def _answer(
    call: Call,
    http_status: int,
    *,
    message: str = "",
    code: str = "",
    uploaded_bytes: int | None = None,
    total: int | None = None,
) -> HttpResponse:
    call.http_status, call.error_code = http_status, code
    if http_status in (201, 206):
        response = HttpResponse(status=http_status)
    else:
        # TikTok documents only the status here; the body helps a human.
        body = {"error": {"code": code, "message": message, "log_id": call.log_id}}
        response = HttpResponse(
            json.dumps(body), status=http_status, content_type="application/json"
        )
    if uploaded_bytes is not None and total is not None:
        response["Content-Range"] = _progress(uploaded_bytes, total)
    response["X-Tt-Logid"] = call.log_id
    return response


@csrf_exempt
@require_sandbox
def upload(request: HttpRequest) -> HttpResponse:
    """PUT one chunk: 206 with more to come, 201 when complete, 416 on a range
    that does not continue the upload, 403 once the URL expired, 404 unknown."""
    call = Call.start(Endpoint.UPLOAD)
    if request.method != "PUT":
        return finish(request, call, method_not_allowed(call, "PUT"))
    try:
        publish = sandbox_upload_target(
            upload_id=request.GET.get("upload_id", ""),
            upload_token=request.GET.get("upload_token", ""),
        )
        call.creator, call.publish_id = publish.creator, publish.publish_id
        content_range = request.headers.get("Content-Range")
        requested = parse_content_range(content_range)
        if requested is not None:
            call.chunk_number = chunk_number_for(publish, requested.first)
        length = request.headers.get("Content-Length", "")
        call.byte_count = int(length) if length.isdigit() else None
        call.fault = sandbox_fault_take(
            endpoint=Endpoint.UPLOAD,
            creator=publish.creator,
            chunk_number=call.chunk_number,
        )
        early = apply_fault_before(
            request,
            call,
            respond=lambda status, code, message: _answer(
                call, status, code=code, message=message
            ),
        )
        if early is not None:
            return early
        receipt = sandbox_upload_chunk(
            publish=publish,
            content_range=content_range,
            content_length=length,
            content_type=request.content_type or "",
            body=request,
        )
        response = _answer(
            call,
            receipt.http_status,
            uploaded_bytes=receipt.uploaded_bytes,
            total=receipt.total,
        )
    except SandboxUploadError as exc:
        response = _answer(
            call,
            exc.http_status,
            code="invalid_file_upload",
            message=exc.message,
            uploaded_bytes=exc.uploaded_bytes,
            total=exc.total,
        )
    return finish(request, call, response)
