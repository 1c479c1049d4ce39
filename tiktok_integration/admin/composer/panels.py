"""One composer panel per target account: what TikTok says the creator may post.

Creator info is asked fresh every time a panel renders (docs/tiktok.md §8.1),
through the gateway's facade (its 20-a-minute window, breaker and token
refresh; §4.2). Panels load in parallel: the page sends a few requests at
once, and the accounts of one request are asked of TikTok at once, so ten
targets cost about one round trip, not ten.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from tiktok_integration.admin.composer import texts
from tiktok_integration.admin.job_forms import fetch_creator_info
from tiktok_integration.client.facts import PrivacyLevel
from tiktok_integration.composer import DIRECT, DRAFT, SCOPE_FOR_MODE
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.accounts import creator_info_snapshot


@dataclass(frozen=True, slots=True)
class PrivacyOption:
    value: str
    label: str
    is_private: bool


@dataclass(frozen=True, slots=True)
class Panel:
    """What one target's panel shows.

    ``blocked``: a sentence when nothing can be posted to this account now
    (creator info refused or failed, account needs reconnecting); the panel
    then shows only that. ``modes``: the modes the granted scopes allow (§2).
    ``snapshot``: the creator info the panel rendered, kept as evidence.
    """

    account: TikTokAccount
    nickname: str
    username: str
    avatar_url: str
    modes: tuple[str, ...]
    blocked: str = ""
    mode_note: str = ""
    privacy_options: tuple[PrivacyOption, ...] = ()
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def only_private(self) -> bool:
        """§8.8: an unaudited app is offered nothing but SELF_ONLY."""
        return [option.value for option in self.privacy_options] == [
            PrivacyLevel.SELF_ONLY.value
        ]


def _modes(account: TikTokAccount) -> tuple[tuple[str, ...], str]:
    granted = set(account.granted_scopes or ())
    modes = tuple(mode for mode in (DIRECT, DRAFT) if SCOPE_FOR_MODE[mode] in granted)
    if modes == (DRAFT,):
        return modes, (
            "Direct Post needs the video.publish permission, which this account "
            "did not grant; drafts to the inbox need only video.upload. Reconnect "
            "the account to post directly."
        )
    if modes == (DIRECT,):
        return modes, (
            "Drafts to the inbox need the video.upload permission, which this "
            "account did not grant."
        )
    return modes, ""


def panels_for(accounts: list[TikTokAccount]) -> list[Panel]:
    """``panel_for`` of each account, in order, the TikTok calls made at once
    (threads wait on the network; each closes its own database connection).

    One after another on an in-memory SQLite database (the test suite's): its
    connections share one cache that refuses concurrent writers outright."""
    if len(accounts) <= 1 or _in_memory_database():
        return [panel_for(account) for account in accounts]
    with ThreadPoolExecutor(max_workers=len(accounts)) as pool:
        return list(pool.map(_panel_in_thread, accounts))


def _in_memory_database() -> bool:
    connection = connections["default"]
    is_in_memory = getattr(connection, "is_in_memory_db", lambda: False)
    return connection.vendor == "sqlite" and bool(is_in_memory())


def _panel_in_thread(account: TikTokAccount) -> Panel:
    try:
        return panel_for(account)
    finally:
        connections.close_all()


def panel_for(account: TikTokAccount) -> Panel:
    """Ask TikTok now and describe the panel (§4.2, §8). Never raises for
    TikTok's answers: refusals and failures become ``blocked`` sentences."""
    nickname = account.display_name or account.username
    base: dict[str, Any] = {
        "account": account,
        "nickname": nickname,
        "username": account.username,
        "avatar_url": account.avatar_url,
    }
    modes, mode_note = _modes(account)
    if account.status != TikTokAccount.Status.ACTIVE:
        reason = account.status_reason or "TikTok no longer accepts its authorization."
        return Panel(
            **base,
            modes=(),
            blocked=f"This account needs reconnecting before it can post: {reason}",
        )
    if not modes:
        return Panel(
            **base,
            modes=(),
            blocked="This account granted neither video.publish nor video.upload, "
            "so nothing can be posted to it. Reconnect it and allow posting.",
        )
    if DIRECT not in modes:
        # creator_info needs video.publish (§4.2): an upload-only account is
        # not asked; its inbox drafts are finished by the creator in the app.
        return Panel(**base, modes=modes, mode_note=mode_note)
    check = fetch_creator_info(account_id=account.pk)
    if check.rules is None or check.error:
        return Panel(**base, modes=modes, blocked=check.error)
    info = check.rules.info
    return Panel(
        account=account,
        nickname=info.nickname or nickname,
        username=info.username or account.username,
        avatar_url=info.avatar_url or account.avatar_url,
        modes=modes,
        mode_note=mode_note,
        privacy_options=tuple(
            PrivacyOption(
                value=level,
                label=texts.privacy_label(level),
                is_private=level == PrivacyLevel.SELF_ONLY.value,
            )
            for level in info.privacy_level_options
        ),
        comment_disabled=info.comment_disabled,
        duet_disabled=info.duet_disabled,
        stitch_disabled=info.stitch_disabled,
        max_video_post_duration_sec=info.max_video_post_duration_sec,
        snapshot=creator_info_snapshot(info),
    )
