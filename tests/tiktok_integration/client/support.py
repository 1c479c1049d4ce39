"""Constants and builders shared by the client tests."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import responses

API_BASE = "https://open.tiktokapis.com"
AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
REDIRECT_URI = "https://cms.example.com/admin/tiktok/callback/"
CLIENT_KEY = "sbawtestclientkey"
CLIENT_SECRET = "client-secret-7f3a9c1e"
ACCESS_TOKEN = "act.user-access-5d1b2c"
REFRESH_TOKEN = "rft.user-refresh-9e8d7c"
UPLOAD_TOKEN = "upload-token-4c3b2a19"
UPLOAD_URL = (
    "https://open-upload.tiktokapis.com/video/"
    f"?upload_id=67890&upload_token={UPLOAD_TOKEN}"
)
LOG_ID = "202210112248442CB9319E1FB30C1073F3"


def envelope(
    data: dict[str, Any] | None = None, code: str = "ok", message: str = ""
) -> dict[str, Any]:
    """TikTok's resource-API envelope; ``data`` is left out when None."""
    body: dict[str, Any] = {
        "error": {"code": code, "message": message, "log_id": LOG_ID}
    }
    if data is not None:
        body["data"] = data
    return body


def sent_json(call_index: int, mock: responses.RequestsMock) -> Any:
    body = mock.calls[call_index].request.body
    assert body is not None
    return json.loads(body)


def sent_timeout(call: Any) -> Any:
    """The timeout a mocked request reached the adapter with (responses keeps it)."""
    return call.request.req_kwargs["timeout"]


# Loggers that could print a token or URL: ours, and urllib3's URL-logging ones.
WATCHED_LOGGERS = (
    "",
    "tiktok_integration.client",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.util.retry",
)


def capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG on every watched logger, whatever the project's LOGGING says."""
    for name in WATCHED_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
