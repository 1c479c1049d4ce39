"""Whether photo posts can reach TikTok, and what staff must set up if not
(photos go only by PULL_FROM_URL from a verified prefix: docs/tiktok.md §4.5,
§4.7, §10)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage

from media_library.selectors import url_is_under_verified_prefix
from tiktok_integration.pull_media.links import (
    own_prefix_registered,
    pull_media_prefix,
)

#: Said before the steps whenever photos cannot reach TikTok yet.
PHOTOS_NOT_READY = (
    "Photo posts reach TikTok only from a URL prefix verified for this TikTok "
    "app (docs/tiktok.md §4.5), and none is set up yet. Before photos can be "
    "scheduled:"
)


@dataclass(frozen=True, slots=True)
class PullReadiness:
    """``ready``: photo posts can be published; ``steps``: what to do, in
    order, when not (empty when ready); ``prefix``: the URL prefix to verify."""

    ready: bool
    prefix: str
    steps: list[str] = field(default_factory=list)


def pull_media_readiness() -> PullReadiness:
    """Ready in sandbox mode (the local address counts as verified), when the
    media storage's own public address lies under a registered prefix (S3 or a
    CDN), or when Postdeck's pull prefix is registered. Prefixes are verified
    per TikTok app, so the answer holds for every workspace."""
    prefix = pull_media_prefix()
    if settings.TIKTOK_SANDBOX or own_prefix_registered():
        return PullReadiness(ready=True, prefix=prefix)
    if not settings.MEDIA_URL.startswith("/"):
        storage_prefix = default_storage.url("x")[:-1]
        if url_is_under_verified_prefix(storage_prefix):
            return PullReadiness(ready=True, prefix=storage_prefix)
    steps = []
    base = urlsplit(settings.BASE_URL)
    if base.scheme != "https" or _is_ip(base.hostname or ""):
        steps.append(
            "Serve Postdeck at a public https:// address on a host name (not an "
            "IP) and set POSTDECK_BASE_URL to it: TikTok pulls only such URLs."
        )
    steps += [
        f"In TikTok's developer portal, under your app's URL properties, add "
        f"the URL prefix {prefix}",
        "Download the verification file TikTok offers and add it under TikTok > "
        "TikTok URL verification files (file name and content as shown); "
        f"Postdeck serves it at {prefix}<file name>.",
        "Press Verify in TikTok's portal.",
        f"Add {prefix} under Media library > Verified URL prefixes; photo posts "
        "can then be scheduled.",
    ]
    return PullReadiness(ready=False, prefix=prefix, steps=steps)


def photos_not_ready_message(readiness: PullReadiness) -> str:
    """One sentence for an error list: ``PHOTOS_NOT_READY`` then the numbered
    steps ("1. …"). Only meaningful when ``readiness.ready`` is False."""
    numbered = " ".join(
        f"{number}. {step}" for number, step in enumerate(readiness.steps, 1)
    )
    return f"{PHOTOS_NOT_READY} {numbered}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
