"""Values of TikTok Login Kit (OAuth v2, §1): token grants, PKCE pairs and the
callback's query string.

``from_api`` raises ValueError when TikTok's payload lacks a field we rely on or
has the wrong type; the calling client turns that into a TikTokError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import INVALID_CALLBACK, TikTokRejectedError, error_from_code
from .payload import optional_int, optional_str, required_int, required_str


def parse_scopes(value: str | None) -> frozenset[str]:
    """Split TikTok's comma-separated scope list into a set."""
    if not value:
        return frozenset()
    return frozenset(scope.strip() for scope in value.split(",") if scope.strip())


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A token response. Lifetimes are read from TikTok on every grant."""

    open_id: str
    scopes: frozenset[str]
    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str = field(repr=False)
    refresh_expires_in: int | None
    token_type: str

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> TokenGrant:
        return cls(
            open_id=required_str(payload, "open_id"),
            scopes=parse_scopes(optional_str(payload, "scope")),
            access_token=required_str(payload, "access_token"),
            expires_in=required_int(payload, "expires_in"),
            refresh_token=required_str(payload, "refresh_token"),
            refresh_expires_in=optional_int(payload, "refresh_expires_in"),
            token_type=optional_str(payload, "token_type") or "Bearer",
        )


@dataclass(frozen=True, slots=True)
class PkcePair:
    verifier: str = field(repr=False)
    challenge: str


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """The query string TikTok redirects back with (§1.3: ``scopes`` is plural)."""

    code: str = field(repr=False)
    state: str
    scopes: frozenset[str]
    error: str
    error_description: str

    def raise_for_error(self) -> None:
        """Raise the mapped TikTokError if the callback reports an error or is
        missing ``code`` or ``state``; return None when it can be exchanged."""
        if self.error:
            raise error_from_code(
                endpoint="oauth_callback",
                http_status=None,
                code=self.error,
                message=self.error_description,
            )
        if not self.code or not self.state:
            raise TikTokRejectedError(
                code=INVALID_CALLBACK,
                message="The callback carried neither an error nor a code and state.",
                endpoint="oauth_callback",
            )
