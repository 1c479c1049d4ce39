"""Login Kit in the sandbox: authorization codes, token grants, refresh with
rotation, revoke, and the bearer-token check of every resource API.

Tokens and codes are stored as SHA-256 hashes only and are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tiktok_sandbox import rules
from tiktok_sandbox.errors import SandboxApiError, SandboxOAuthError
from tiktok_sandbox.models import (
    SandboxAuthorizationCode,
    SandboxCreator,
    SandboxToken,
)
from tiktok_sandbox.services.defaults import sandbox_settings_get

# Undocumented at TikTok (docs/tiktok.md §1.3: about 10 minutes is UNCONFIRMED).
AUTHORIZATION_CODE_TTL: Final = timedelta(minutes=10)
CLIENT_TOKEN_TTL_SECONDS: Final = 7200
REDIRECT_URI_MISMATCH: Final = (
    "Redirect_uri is not matched with the uri when requesting code."
)
PKCE_MISMATCH: Final = "Code verifier or code challenge is invalid."


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """What the token endpoint answers (docs/tiktok.md §1.4), before JSON."""

    open_id: str
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    scopes: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "open_id": self.open_id,
            "refresh_expires_in": self.refresh_expires_in,
            "refresh_token": self.refresh_token,
            "scope": ",".join(self.scopes),
            "token_type": "Bearer",  # a token type  # nosec B105
        }


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _new_code() -> str:
    # TikTok's example codes carry '*' and '!', so a client that forgets to
    # URL-decode the callback (or decodes twice) fails here as it would there.
    return f"{secrets.token_urlsafe(30)}*0!{secrets.randbelow(10**4):04d}"


def sandbox_authorization_code_issue(
    *,
    creator: SandboxCreator,
    scopes: Iterable[str],
    redirect_uri: str,
    code_challenge: str,
    now: datetime | None = None,
) -> str:
    """Issue a single-use code for the consent page's redirect; returns the code."""
    now = now or timezone.now()
    code = _new_code()
    SandboxAuthorizationCode.objects.create(
        code_hash=hash_secret(code),
        creator=creator,
        scopes=sorted(set(scopes)),
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        created_at=now,
        expires_at=now + AUTHORIZATION_CODE_TTL,
    )
    return code


def _check_client(*, client_key: str, client_secret: str) -> None:
    key_ok = hmac.compare_digest(
        client_key.encode(), str(settings.TIKTOK_CLIENT_KEY).encode()
    )
    secret_ok = hmac.compare_digest(
        client_secret.encode(), str(settings.TIKTOK_CLIENT_SECRET).encode()
    )
    if not (key_ok and secret_ok):
        raise SandboxOAuthError(
            "invalid_client", "Client key or client secret is invalid."
        )


def _issue_pair(
    *,
    creator: SandboxCreator,
    scopes: Iterable[str],
    grant_id: uuid.UUID,
    now: datetime,
) -> IssuedTokens:
    app = sandbox_settings_get()
    scope_list = tuple(sorted(set(scopes)))
    access = "act." + secrets.token_urlsafe(40)
    refresh = "rft." + secrets.token_urlsafe(40)
    for kind, token, ttl in (
        (SandboxToken.Kind.ACCESS, access, app.access_token_ttl),
        (SandboxToken.Kind.REFRESH, refresh, app.refresh_token_ttl),
    ):
        SandboxToken.objects.create(
            kind=kind,
            token_hash=hash_secret(token),
            creator=creator,
            grant_id=grant_id,
            scopes=list(scope_list),
            issued_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    return IssuedTokens(
        open_id=creator.open_id,
        access_token=access,
        refresh_token=refresh,
        expires_in=app.access_token_ttl,
        refresh_expires_in=app.refresh_token_ttl,
        scopes=scope_list,
    )


def sandbox_tokens_issue(
    *, creator: SandboxCreator, scopes: Iterable[str], now: datetime | None = None
) -> IssuedTokens:
    """Tokens for ``creator`` without the consent dance, for tests and demos."""
    return _issue_pair(
        creator=creator, scopes=scopes, grant_id=uuid.uuid4(), now=now or timezone.now()
    )


def sandbox_token_exchange_code(
    *,
    client_key: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: datetime | None = None,
) -> IssuedTokens:
    """``grant_type=authorization_code``. The code is spent by the first attempt
    that names it, even a refused one, so it can never be tried twice.

    Raises SandboxOAuthError (invalid_client, invalid_grant, invalid_request).
    """
    now = now or timezone.now()
    _check_client(client_key=client_key, client_secret=client_secret)
    if not code:
        raise SandboxOAuthError("invalid_request", "code is required.")
    with transaction.atomic():
        row = (
            SandboxAuthorizationCode.objects.select_for_update(of=("self",))
            .select_related("creator")
            .filter(code_hash=hash_secret(code))
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise SandboxOAuthError(
                "invalid_grant", "Authorization code is expired, used or invalid."
            )
        spent = SandboxAuthorizationCode.objects.filter(
            pk=row.pk, used_at__isnull=True
        ).update(used_at=now)
        if spent != 1:
            raise SandboxOAuthError(
                "invalid_grant", "Authorization code is expired, used or invalid."
            )
    if redirect_uri != row.redirect_uri:
        raise SandboxOAuthError("invalid_request", REDIRECT_URI_MISMATCH)
    if row.code_challenge and not rules.pkce_verifier_matches(
        verifier=code_verifier, challenge=row.code_challenge
    ):
        raise SandboxOAuthError("invalid_request", PKCE_MISMATCH)
    return _issue_pair(
        creator=row.creator, scopes=row.scopes, grant_id=uuid.uuid4(), now=now
    )


def sandbox_token_refresh(
    *,
    client_key: str,
    client_secret: str,
    refresh_token: str,
    now: datetime | None = None,
) -> IssuedTokens:
    """``grant_type=refresh_token`` with rotation: the presented refresh token
    dies in the same transaction that issues its successor.

    Raises SandboxOAuthError (invalid_client, invalid_request, invalid_grant).
    """
    now = now or timezone.now()
    _check_client(client_key=client_key, client_secret=client_secret)
    if not refresh_token:
        raise SandboxOAuthError("invalid_request", "refresh_token is required.")
    with transaction.atomic():
        row = (
            SandboxToken.objects.select_for_update(of=("self",))
            .select_related("creator")
            .filter(
                token_hash=hash_secret(refresh_token), kind=SandboxToken.Kind.REFRESH
            )
            .first()
        )
        usable = (
            row is not None
            and row.creator is not None
            and row.revoked_at is None
            and row.rotated_at is None
            and row.expires_at > now
        )
        if not usable or row is None or row.creator is None:
            raise SandboxOAuthError(
                "invalid_grant", "Refresh token is invalid or expired."
            )
        # Compare-and-set: of two concurrent refreshes with one token, one wins.
        rotated = SandboxToken.objects.filter(
            pk=row.pk, rotated_at__isnull=True, revoked_at__isnull=True
        ).update(rotated_at=now)
        if rotated != 1:
            raise SandboxOAuthError(
                "invalid_grant", "Refresh token is invalid or expired."
            )
        return _issue_pair(
            creator=row.creator, scopes=row.scopes, grant_id=row.grant_id, now=now
        )


def sandbox_token_client_credentials(
    *, client_key: str, client_secret: str, now: datetime | None = None
) -> dict[str, object]:
    """``grant_type=client_credentials``: a ``clt.`` token that no user API takes."""
    now = now or timezone.now()
    _check_client(client_key=client_key, client_secret=client_secret)
    token = "clt." + secrets.token_urlsafe(40)
    SandboxToken.objects.create(
        kind=SandboxToken.Kind.CLIENT,
        token_hash=hash_secret(token),
        issued_at=now,
        expires_at=now + timedelta(seconds=CLIENT_TOKEN_TTL_SECONDS),
    )
    return {
        "access_token": token,
        "expires_in": CLIENT_TOKEN_TTL_SECONDS,
        "token_type": "Bearer",  # a token type  # nosec B105
    }


def sandbox_token_revoke(
    *, client_key: str, client_secret: str, token: str, now: datetime | None = None
) -> SandboxCreator | None:
    """Revoke the app's access for the token's creator: every token dies, and
    the app leaves the creator's connected apps.

    An unknown token is not an error (RFC 7009 §2.2). Returns the creator whose
    access was revoked, or None. Raises SandboxOAuthError (invalid_client,
    invalid_request).
    """
    now = now or timezone.now()
    _check_client(client_key=client_key, client_secret=client_secret)
    if not token:
        raise SandboxOAuthError("invalid_request", "token is required.")
    row = (
        SandboxToken.objects.select_related("creator")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if row is None or row.creator is None:
        return None
    sandbox_creator_revoke_all(creator=row.creator, now=now)
    return row.creator


def sandbox_creator_revoke_all(
    *, creator: SandboxCreator, now: datetime | None = None
) -> int:
    """Revoke every token of ``creator`` (the user removed the app). Returns how
    many tokens died."""
    return SandboxToken.objects.filter(creator=creator, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def sandbox_access_tokens_expire_all(
    *, creator: SandboxCreator | None = None, now: datetime | None = None
) -> int:
    """Expire live access tokens now (all, or one creator's); refresh tokens
    keep working, so a client must refresh. Returns how many expired."""
    now = now or timezone.now()
    tokens = SandboxToken.objects.filter(
        kind=SandboxToken.Kind.ACCESS, expires_at__gt=now
    )
    if creator is not None:
        tokens = tokens.filter(creator=creator)
    return tokens.update(expires_at=now)


def sandbox_access_token_authenticate(
    *, authorization: str | None, now: datetime | None = None
) -> SandboxToken:
    """The live user access token named by an ``Authorization: Bearer`` header.

    Raises SandboxApiError 401 access_token_invalid for a missing, malformed,
    unknown, expired, revoked or client token.
    """
    now = now or timezone.now()
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _token_invalid()
    row = (
        SandboxToken.objects.select_related("creator")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if (
        row is None
        or row.kind != SandboxToken.Kind.ACCESS
        or row.creator is None
        or row.revoked_at is not None
        or row.expires_at <= now
    ):
        raise _token_invalid()
    return row


def _token_invalid() -> SandboxApiError:
    return SandboxApiError(
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    )
