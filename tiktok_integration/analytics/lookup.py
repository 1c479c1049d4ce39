"""Find a video staff paste (an id, or a long or short share link) on one of
their connected accounts, and start tracking it.

Links are read, never followed blindly: long links (``/@user/video/<id>``)
are parsed; short links are resolved only on TikTok's short-link hosts, one
redirect at a time, through ``media_library.urlfetch.redirect_location``
(https, public addresses only, pinned connection). In sandbox mode the
configured ``TIKTOK_WEB_URL`` (the operator's own sandbox) serves them too.
Whether the video is the account's is TikTok's answer to video/query
(docs/tiktok.md §3.3).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings

from media_library.urlfetch import UrlRefusedError, redirect_location
from tiktok_integration.analytics.linking import analytics_link_account
from tiktok_integration.analytics.sync import VIDEO_FIELDS, analytics_videos_store
from tiktok_integration.gateway import account_calls
from tiktok_integration.models import TikTokAccount, TikTokVideo

TIKTOK_HOSTS = frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"})
SHORT_LINK_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
MAX_SHORT_LINK_HOPS = 3
_VIDEO_PATH = re.compile(r"/@(?P<user>[^/]+)/video/(?P<id>\d{1,32})/?$")
_VIDEO_ID = re.compile(r"\d{6,32}")


class VideoLookupError(Exception):
    """The pasted text is not a video of a connected account; ``str()`` says why."""


def _web_base() -> str:
    return str(settings.TIKTOK_WEB_URL).rstrip("/")


def _long_link(url: str) -> tuple[str, str] | None:
    """(username, video id) of a long link on TikTok (or the sandbox)."""
    parts = urlsplit(url)
    base = urlsplit(_web_base())
    on_tiktok = parts.scheme == "https" and (parts.hostname or "") in TIKTOK_HOSTS
    on_sandbox = (
        settings.TIKTOK_SANDBOX
        and parts.netloc == base.netloc
        and parts.path.startswith(base.path)
    )
    if not (on_tiktok or on_sandbox):
        return None
    path = parts.path[len(base.path) :] if on_sandbox else parts.path
    match = _VIDEO_PATH.search(path)
    return (match["user"], match["id"]) if match else None


def _is_short_link(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in SHORT_LINK_HOSTS:
        return True
    if host in TIKTOK_HOSTS and parts.path.startswith("/t/"):
        return True
    return bool(settings.TIKTOK_SANDBOX and url.startswith(f"{_web_base()}/t/"))


def _next_hop(url: str) -> str:
    if settings.TIKTOK_SANDBOX and url.startswith(f"{_web_base()}/t/"):
        # The operator's own sandbox: only paths under its configured URL.
        response = requests.get(
            url, allow_redirects=False, timeout=settings.TIKTOK_READ_TIMEOUT
        )
        return response.headers.get("Location", "")
    return redirect_location(url)


def parse_video_reference(text: str) -> tuple[str | None, str]:
    """(username or None, video id) named by a pasted id or link, resolving
    short links. Raises ``VideoLookupError`` when the text names no video."""
    text = text.strip()
    if _VIDEO_ID.fullmatch(text):
        return None, text
    current = text
    for _hop in range(MAX_SHORT_LINK_HOPS + 1):
        found = _long_link(current)
        if found is not None:
            return found
        if not _is_short_link(current):
            break
        try:
            current = _next_hop(current)
        except (UrlRefusedError, requests.RequestException) as error:
            message = f"Could not follow the short link: {error}"
            raise VideoLookupError(message) from error
        if not current:
            break
    raise VideoLookupError(
        "Paste a video id, a link like https://www.tiktok.com/@user/video/123…, "
        "or a short vm.tiktok.com link."
    )


def analytics_video_lookup(
    *, text: str, account_ids: list[int], now: datetime
) -> TikTokVideo:
    """The video ``text`` names, on one of ``account_ids``, fetched now and
    tracked from now on (then linked to its job if one made it).

    Asks video/query of the account the link names first, then the others,
    one call each (§3.3). Raises ``VideoLookupError`` when no account has it, and
    ``ComeBackLaterError``/``TikTokError`` as the facade does.
    """
    username, video_id = parse_video_reference(text)
    known = TikTokVideo.objects.filter(
        account_id__in=account_ids, video_id=video_id
    ).first()
    accounts = list(TikTokAccount.objects.filter(pk__in=account_ids).order_by("pk"))
    if known is not None:
        accounts.sort(key=lambda account: account.pk != known.account_id)
    elif username:
        accounts.sort(key=lambda account: account.username != username)
    for account in accounts:
        if "video.list" not in (account.granted_scopes or []):
            continue
        found = account_calls.video_query(
            account_id=account.pk, fields=VIDEO_FIELDS, video_ids=[video_id]
        )
        if not found:
            continue
        analytics_videos_store(
            account_id=account.pk, videos={item.id: item for item in found}, now=now
        )
        TikTokVideo.objects.filter(account=account, video_id=video_id).update(
            is_tracked=True
        )
        analytics_link_account(account_id=account.pk)
        return TikTokVideo.objects.get(account=account, video_id=video_id)
    raise VideoLookupError(
        f"Video {video_id} is not a public video of any connected account of "
        "your workspaces."
    )
