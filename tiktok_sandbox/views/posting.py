"""Content Posting API: creator info, the three inits, status and cancel
(docs/tiktok.md §4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tiktok_sandbox import rules
from tiktok_sandbox.errors import SandboxApiError, invalid_param
from tiktok_sandbox.models import Endpoint, SandboxCreator
from tiktok_sandbox.services.lifecycle import (
    sandbox_publish_cancel,
    sandbox_publish_owned,
    sandbox_publish_status,
)
from tiktok_sandbox.services.publishing import (
    InitResult,
    sandbox_creator_info,
    sandbox_init_content,
    sandbox_init_direct_video,
    sandbox_init_inbox_video,
)
from tiktok_sandbox.views.common import Call, json_body, resource_endpoint

PUBLISH = frozenset({rules.VIDEO_PUBLISH})
UPLOAD = frozenset({rules.VIDEO_UPLOAD})
EITHER = PUBLISH | UPLOAD


def _creator(call: Call) -> SandboxCreator:
    if call.creator is None:
        raise SandboxApiError(401, "access_token_invalid", "No user for this token.")
    return call.creator


def _initialised(call: Call, result: InitResult) -> dict[str, str]:
    call.publish_id = result.publish.publish_id
    return result.as_data()


@resource_endpoint(Endpoint.CREATOR_INFO, method="POST", scopes_any=PUBLISH)
def creator_info(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/post/publish/creator_info/query/ (no body)."""
    return sandbox_creator_info(creator=_creator(call))


@resource_endpoint(Endpoint.VIDEO_INIT, method="POST", scopes_any=PUBLISH)
def video_init(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/post/publish/video/init/ (Direct Post)."""
    body = json_body(request, error=invalid_param)
    return _initialised(
        call, sandbox_init_direct_video(creator=_creator(call), body=body)
    )


@resource_endpoint(Endpoint.INBOX_VIDEO_INIT, method="POST", scopes_any=UPLOAD)
def inbox_video_init(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/post/publish/inbox/video/init/ (upload to the inbox)."""
    body = json_body(request, error=invalid_param)
    return _initialised(
        call, sandbox_init_inbox_video(creator=_creator(call), body=body)
    )


@resource_endpoint(Endpoint.CONTENT_INIT, method="POST", scopes_any=EITHER)
def content_init(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/post/publish/content/init/ (photos)."""
    body = json_body(request, error=invalid_param)
    scopes = call.token.scopes if call.token else []
    return _initialised(
        call, sandbox_init_content(creator=_creator(call), scopes=scopes, body=body)
    )


@resource_endpoint(Endpoint.STATUS_FETCH, method="POST", scopes_any=EITHER)
def status_fetch(request: HttpRequest, call: Call) -> dict[str, Any]:
    """POST /v2/post/publish/status/fetch/."""
    body = json_body(request, error=invalid_param)
    publish = sandbox_publish_owned(
        creator=_creator(call), publish_id=body.get("publish_id")
    )
    call.publish_id = publish.publish_id
    return sandbox_publish_status(publish=publish)


@resource_endpoint(Endpoint.CANCEL, method="POST", scopes_any=EITHER)
def cancel(request: HttpRequest, call: Call) -> None:
    """POST /v2/post/publish/cancel/: answers an envelope without data."""
    body = json_body(request, error=invalid_param)
    publish = sandbox_publish_owned(
        creator=_creator(call), publish_id=body.get("publish_id")
    )
    call.publish_id = publish.publish_id
    sandbox_publish_cancel(publish=publish)
