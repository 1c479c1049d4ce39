"""Deleting what Postdeck stores about a disconnected TikTok account (the
Privacy Policy promises it; docs/tiktok.md §9 ``authorization.removed``).

The account row stays (publish jobs keep their history and point at it), with
only its open id left; everything TikTok told us about the creator goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from tiktok_integration.models import (
    AccountSnapshot,
    AnalyticsSyncState,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
    WebhookEvent,
)


class AccountStillConnectedError(Exception):
    """The account is connected (or waiting to reconnect): disconnect it first."""


#: Rows about the account deleted outright, by label; another model is one line.
DELETED_ROWS: tuple[tuple[str, Callable[[TikTokAccount], QuerySet[Any]]], ...] = (
    (
        "webhook events",
        lambda account: WebhookEvent.objects.filter(user_openid=account.open_id),
    ),
    (
        "video metrics",
        lambda account: VideoSnapshot.objects.filter(video__account=account),
    ),
    ("videos", lambda account: TikTokVideo.objects.filter(account=account)),
    (
        "profile metrics",
        lambda account: AccountSnapshot.objects.filter(account=account),
    ),
    (
        "analytics sync state",
        lambda account: AnalyticsSyncState.objects.filter(account=account),
    ),
)

#: Fields cleared on the account, by label, with their emptied values.
CLEARED_FIELDS: dict[str, dict[str, Any]] = {
    "profile": {
        "union_id": "",
        "username": "",
        "display_name": "",
        "avatar_url": "",
        "is_verified": False,
        "follower_count": None,
        "following_count": None,
        "likes_count": None,
        "video_count": None,
    },
    "tokens": {
        "access_token": None,
        "refresh_token": None,
        "access_token_expires_at": None,
        "refresh_token_expires_at": None,
        "granted_scopes": [],
    },
    "creator info": {"creator_info": {}, "creator_info_fetched_at": None},
}


def tiktok_account_delete_data(*, account_id: int) -> dict[str, int]:
    """Delete a disconnected account's stored TikTok data; return what went.

    The answer maps each label of ``CLEARED_FIELDS`` to 1 if anything was there
    to clear (else 0) and each label of ``DELETED_ROWS`` to the rows deleted.
    Raises ``TikTokAccount.DoesNotExist`` and ``AccountStillConnectedError``.
    """
    with transaction.atomic():
        account = TikTokAccount.objects.select_for_update().get(pk=account_id)
        if account.status != TikTokAccount.Status.DISCONNECTED:
            raise AccountStillConnectedError(
                f"{account} is still connected; disconnect it before deleting "
                "its TikTok data."
            )
        deleted: dict[str, int] = {}
        for label, fields in CLEARED_FIELDS.items():
            had_data = any(
                getattr(account, name) not in (None, "", [], {}, False)
                for name in fields
            )
            deleted[label] = int(had_data)
        for label, rows in DELETED_ROWS:
            deleted[label] = rows(account).delete()[0]
        TikTokAccount.objects.filter(pk=account_id).update(
            **{
                name: value
                for fields in CLEARED_FIELDS.values()
                for name, value in fields.items()
            },
            status_reason="Stored TikTok data deleted.",
        )
    return deleted


def deletion_summary(deleted: dict[str, int]) -> str:
    """``{"profile": 1, "webhook events": 3}`` as "profile, 3 webhook events"
    for staff; "nothing was stored" when all are 0."""
    parts = []
    for label, count in deleted.items():
        if count == 0:
            continue
        parts.append(label if label in CLEARED_FIELDS else f"{count} {label}")
    return ", ".join(parts) if parts else "nothing was stored"
