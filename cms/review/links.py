"""Preview links for clients: signed, expiring, revocable.

The URL token is ``TimestampSigner`` over ``"<link id>:<nonce>"`` with its own
salt, so a changed character fails the signature; the row decides the rest:
``expires_at`` (checked against the database row, not only the signature's
age) and ``revoked_at``. Anything wrong reads as the same "link not valid".
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cms.models import Post
from cms.review.models import PreviewLink

SALT = "postdeck.review.preview-link"
DEFAULT_DAYS = 14
MAX_DAYS = 90


class PreviewLinkInvalidError(Exception):
    """The token is tampered with, expired, revoked or unknown."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def preview_link_create(*, post: Post, user: Any, days: int = DEFAULT_DAYS) -> str:
    """A new link to ``post`` valid for ``days`` (1..90); returns its token."""
    days = max(1, min(days, MAX_DAYS))
    link = PreviewLink.objects.create(
        post=post,
        nonce=secrets.token_urlsafe(16),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return preview_link_token(link)


def preview_link_token(link: PreviewLink) -> str:
    """The signed token in the link's URL."""
    return _signer().sign(f"{link.pk}:{link.nonce}")


def preview_link_url(token: str) -> str:
    """The absolute public URL for ``token``."""
    return settings.BASE_URL + reverse("review_preview", args=[token])


def preview_link_revoke(*, link_id: int) -> bool:
    """Stop a link working now; False if it was already revoked."""
    return (
        PreviewLink.objects.filter(pk=link_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        == 1
    )


def preview_link_resolve(token: str) -> PreviewLink:
    """The live link for ``token`` with its post and workspace loaded.

    Raises ``PreviewLinkInvalidError`` when the signature is wrong or older
    than ``MAX_DAYS``, or the row is unknown, revoked or expired.
    """
    try:
        value = _signer().unsign(token, max_age=timedelta(days=MAX_DAYS))
        link_id, nonce = value.split(":", 1)
        link = PreviewLink.objects.select_related("post__workspace").get(
            pk=int(link_id), nonce=nonce
        )
    except (signing.BadSignature, ValueError, PreviewLink.DoesNotExist) as error:
        raise PreviewLinkInvalidError from error
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise PreviewLinkInvalidError
    return link
