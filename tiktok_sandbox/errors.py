"""Refusals the sandbox answers with, in TikTok's three shapes."""

from __future__ import annotations


class SandboxApiError(Exception):
    """A resource-API refusal: answered as ``{"data": {}, "error": {code, ...}}``."""

    def __init__(self, http_status: int, code: str, message: str) -> None:
        super().__init__(f"{http_status} {code}: {message}")
        self.http_status = http_status
        self.code = code
        self.message = message


class SandboxOAuthError(Exception):
    """An OAuth refusal: answered flat, ``{error, error_description, log_id}``."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


class SandboxUploadError(Exception):
    """A refused chunk PUT. ``uploaded_bytes`` fills the Content-Range header."""

    def __init__(
        self,
        http_status: int,
        message: str,
        *,
        uploaded_bytes: int | None = None,
        total: int | None = None,
    ) -> None:
        super().__init__(f"{http_status}: {message}")
        self.http_status = http_status
        self.message = message
        self.uploaded_bytes = uploaded_bytes
        self.total = total


def invalid_param(message: str) -> SandboxApiError:
    """Content Posting's spelling (singular), docs/tiktok.md §5.1."""
    return SandboxApiError(400, "invalid_param", message)


def invalid_params(message: str) -> SandboxApiError:
    """The Display API's spelling (plural), docs/tiktok.md §3.5."""
    return SandboxApiError(400, "invalid_params", message)
