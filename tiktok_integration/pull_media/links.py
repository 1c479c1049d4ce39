"""Which URL TikTok pulls a post's file from, and the signed links Postdeck
serves itself (docs/tiktok.md §4.5, §4.7, §10).

A link is ``<BASE_URL>/tiktok-media/<token>/<n>.<ext>``: the token signs the
job id and asset id with a timestamp (``TIKTOK_PULL_MEDIA_SECONDS``), so it
cannot be guessed, expires, and names one file of one job; the view also
requires the job to be in flight.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from media_library.models import MediaAsset
from media_library.selectors import media_asset_pull_url, url_is_under_verified_prefix

_SALT = "postdeck.tiktok-media"
# "." is outside the token's base64 alphabet, so the token is one path segment.
_SEPARATOR = "."


@dataclass(frozen=True, slots=True)
class PullTarget:
    """What a link names: one asset of one publish job."""

    job_id: int
    asset_id: int


def pull_media_prefix() -> str:
    """Postdeck's own pull prefix, e.g. ``https://postdeck.example.com/tiktok-media/``;
    the URL-prefix property to verify at TikTok (§10)."""
    return f"{settings.BASE_URL}/{settings.TIKTOK_PULL_MEDIA_PATH}"


def own_prefix_registered() -> bool:
    """Whether staff registered Postdeck's own pull prefix as verified."""
    return url_is_under_verified_prefix(pull_media_prefix())


def own_prefix_usable() -> bool:
    """Registered, or sandbox mode, where the local address counts as verified
    (the built-in sandbox accepts it; §8 rule 9 says a real sandbox app still
    needs verification)."""
    return settings.TIKTOK_SANDBOX or own_prefix_registered()


def pull_media_link(*, job_id: int, asset: MediaAsset, position: int) -> str:
    """A fresh signed link to ``asset`` for job ``job_id`` under the pull prefix."""
    signer = signing.TimestampSigner(salt=_SALT, sep=_SEPARATOR)
    token = signer.sign_object({"j": job_id, "a": asset.pk})
    extension = posixpath.splitext(asset.file.name or "")[1].lower() or ".bin"
    return f"{pull_media_prefix()}{token}/{position + 1}{extension}"


def pull_media_target(token: str) -> PullTarget | None:
    """The job and asset a token names; None if forged, altered or expired."""
    signer = signing.TimestampSigner(salt=_SALT, sep=_SEPARATOR)
    try:
        payload = signer.unsign_object(
            token, max_age=settings.TIKTOK_PULL_MEDIA_SECONDS
        )
        return PullTarget(job_id=int(payload["j"]), asset_id=int(payload["a"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def asset_pull_url(
    *, job_id: int, asset: MediaAsset, position: int, photo: bool
) -> str | None:
    """The URL TikTok should pull ``asset`` from for this job, or None.

    First the storage's own public URL when it lies under a verified prefix (a
    bucket or CDN, §10); else Postdeck's signed link when its own prefix is
    verified. Photos (PULL_FROM_URL only, §4.5) may also use the sandbox
    allowance; videos then keep FILE_UPLOAD so the sandbox still exercises
    chunked uploads.
    """
    # Files under a relative MEDIA_URL are Postdeck's members-only route: never
    # hand that to TikTok, whatever prefix was registered.
    external_storage = not settings.MEDIA_URL.startswith("/")
    storage_url = media_asset_pull_url(asset) if external_storage else None
    if storage_url is not None:
        return storage_url
    usable = own_prefix_usable() if photo else own_prefix_registered()
    if not usable or not asset.file:
        return None
    return pull_media_link(job_id=job_id, asset=asset, position=position)
