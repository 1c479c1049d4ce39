"""Connecting TikTok accounts to workspaces, and keeping their profile current."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tiktok_integration.client import (
    CreatorInfo,
    TikTokAccountBlockedError,
    TikTokError,
    TikTokOAuthClient,
    TikTokQuotaError,
    TikTokScopeError,
)
from tiktok_integration.composer import CreatorRules
from tiktok_integration.gateway import account_calls
from tiktok_integration.gateway.attempts import attempt_recorder
from tiktok_integration.gateway.clients import oauth_client
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import TikTokAccount
from tiktok_integration.publishing.transitions import publish_jobs_pause_for_account
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    apply_token_grant,
    tiktok_account_resume_paused_jobs,
)
from workspaces.models import Workspace

SESSION_KEY = "tiktok_oauth_pending"
STATE_LIFETIME_SECONDS = 600
MAX_PENDING_STATES = 5

# What each scope is needed for, in words staff understand.
SCOPE_FEATURES: dict[str, str] = {
    "user.info.basic": "showing the account's name and avatar",
    "user.info.profile": "showing the @username and verified badge",
    "user.info.stats": "follower and like counts",
    "video.list": "finding published posts and their view counts",
    "video.publish": "posting directly to the profile",
    "video.upload": "sending drafts to the creator's TikTok inbox",
}
PROFILE_FIELDS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "user.info.basic": ("open_id", "union_id", "avatar_url", "display_name"),
    "user.info.profile": ("username", "is_verified", "bio_description"),
    "user.info.stats": (
        "follower_count",
        "following_count",
        "likes_count",
        "video_count",
    ),
}


class ConnectError(Exception):
    """The connect attempt was refused; ``str()`` says why and what to do."""


@dataclass(frozen=True, slots=True)
class ConnectResult:
    account: TikTokAccount
    created: bool
    missing_scopes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def required_scopes() -> list[str]:
    return list(settings.TIKTOK_SCOPES)


def oauth_connect_start(
    *, session: MutableMapping[str, Any], user_id: int, workspace_id: int
) -> str:
    """Remember a one-time state and PKCE verifier in the session; return the
    TikTok consent URL to redirect to."""
    client = oauth_client()
    pkce = TikTokOAuthClient.new_pkce_pair()
    state = secrets.token_urlsafe(32)
    now = time.time()
    pending = {
        key: value
        for key, value in session.get(SESSION_KEY, {}).items()
        if now - value["created"] < STATE_LIFETIME_SECONDS
    }
    pending[state] = {
        "verifier": pkce.verifier,
        "user_id": user_id,
        "workspace_id": workspace_id,
        "created": now,
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["created"])
    session[SESSION_KEY] = dict(newest[-MAX_PENDING_STATES:])
    return client.authorization_url(
        state=state, scopes=required_scopes(), code_challenge=pkce.challenge
    )


def _pop_pending(
    session: MutableMapping[str, Any], state: str
) -> dict[str, Any] | None:
    pending: dict[str, Any] = dict(session.get(SESSION_KEY, {}))
    match = None
    for key in list(pending):
        # Compare every stored state in constant time, so timing says nothing.
        if state and hmac.compare_digest(key.encode(), state.encode()):
            match = key
    entry = pending.pop(match) if match else None
    session[SESSION_KEY] = pending
    return entry


def oauth_connect_finish(
    *,
    session: MutableMapping[str, Any],
    user_id: int,
    workspace_ids: set[int] | None,
    query: Mapping[str, str],
) -> ConnectResult:
    """Check the callback, exchange the code and save the account.

    ``workspace_ids`` are the workspaces the user may use now (None: all).
    Raises ``ConnectError`` with a sentence for staff; nothing is stored then.
    """
    params = TikTokOAuthClient.parse_callback(query)
    entry = _pop_pending(session, params.state)
    if entry is None:
        raise ConnectError(
            "This TikTok sign-in was not started from this browser session, or it "
            "was already used. Start again with 'Connect TikTok account'."
        )
    if time.time() - entry["created"] > STATE_LIFETIME_SECONDS:
        raise ConnectError(
            "The TikTok sign-in took longer than 10 minutes and expired. Start again."
        )
    if entry["user_id"] != user_id:
        raise ConnectError(
            "This TikTok sign-in was started by another user. Start again."
        )
    workspace_id = int(entry["workspace_id"])
    if workspace_ids is not None and workspace_id not in workspace_ids:
        raise ConnectError("You are no longer a member of that workspace.")
    if params.error:
        if params.error == "access_denied":
            raise ConnectError(
                "The TikTok account owner declined to connect; nothing was saved."
            )
        raise ConnectError(
            f"TikTok refused the sign-in ({params.error}: "
            f"{params.error_description or 'no details'}). Try again."
        )
    if not params.code:
        raise ConnectError("TikTok sent no authorization code. Start again.")

    try:
        grant = oauth_client(on_call=attempt_recorder()).exchange_code(
            code=params.code, code_verifier=entry["verifier"]
        )
    except TikTokError as error:
        raise ConnectError(
            f"TikTok did not accept the sign-in ({error.code}); start again. "
            f"Log id for support: {error.log_id or 'none'}."
        ) from error

    granted = set(grant.scopes) or set(params.scopes)
    missing = tuple(scope for scope in required_scopes() if scope not in granted)
    if not granted & {"video.publish", "video.upload"}:
        raise ConnectError(
            "The account was connected without permission to post (video.publish "
            "or video.upload), so Postdeck cannot publish with it. Connect again and "
            "leave the posting permissions ticked."
        )

    with transaction.atomic():
        existing = (
            TikTokAccount.objects.select_for_update()
            .filter(open_id=grant.open_id)
            .first()
        )
        if existing is not None and existing.workspace_id != workspace_id:
            raise ConnectError(
                "This TikTok account is already connected to another workspace. "
                "Disconnect it there first; one account publishes for one workspace."
            )
        now = timezone.now()
        account = existing or TikTokAccount(
            workspace_id=workspace_id, open_id=grant.open_id
        )
        apply_token_grant(account=account, grant=grant, now=now)
        account.granted_scopes = sorted(granted)
        account.status = TikTokAccount.Status.ACTIVE
        account.status_reason = ""
        account.reauth_required_at = None
        account.disconnected_at = None
        account.refresh_reminder_sent_at = None
        account.connected_at = now
        account.connected_by_id = user_id
        account.save()
        resumed = tiktok_account_resume_paused_jobs(account_id=account.pk)
    warnings = [_missing_scope_warning(scope, granted) for scope in missing]
    if resumed:
        warnings.append(f"{resumed} paused post(s) are back on the schedule.")
    try:
        tiktok_account_sync_profile(account_id=account.pk)
        if granted & {"video.publish"}:
            tiktok_account_check_creator_info(account_id=account.pk)
    except (TikTokError, ReconnectRequiredError, ComeBackLaterError) as error:
        warnings.append(f"The profile could not be loaded yet ({error}).")
    account.refresh_from_db()
    return ConnectResult(
        account=account,
        created=existing is None,
        missing_scopes=missing,
        warnings=tuple(warnings),
    )


def _missing_scope_warning(scope: str, granted: set[str]) -> str:
    # Each posting mode needs its own scope (§2): say which mode still works,
    # so an account without video.publish is not taken for useless.
    warning = (
        f"TikTok did not grant {scope}, so {SCOPE_FEATURES.get(scope, scope)} will "
        "not work until the account is reconnected with it."
    )
    if scope == "video.publish" and "video.upload" in granted:
        warning += " Drafts sent to the creator's TikTok inbox work (video.upload)."
    if scope == "video.upload" and "video.publish" in granted:
        warning += " Posting directly to the profile works (video.publish)."
    return warning


def tiktok_account_sync_profile(*, account_id: int) -> TikTokAccount:
    """Fetch name, avatar, username, verified flag and stats as the scopes allow
    (§3.1), through the gateway. Raises as ``account_calls.call_as_account``."""
    account = TikTokAccount.objects.get(pk=account_id)
    fields = [
        name
        for scope, names in PROFILE_FIELDS_BY_SCOPE.items()
        if scope in account.granted_scopes
        for name in names
    ]
    if not fields:
        return account
    info = account_calls.user_info(account_id=account_id, fields=fields)
    updates: dict[str, Any] = {
        "union_id": info.union_id,
        "display_name": info.display_name,
        "avatar_url": info.avatar_url,
        "username": info.username,
        "is_verified": info.is_verified,
        "follower_count": info.follower_count,
        "following_count": info.following_count,
        "likes_count": info.likes_count,
        "video_count": info.video_count,
    }
    for name, value in updates.items():
        if value is not None:
            setattr(account, name, value[:1000] if isinstance(value, str) else value)
    account.save()
    return account


def creator_info_snapshot(info: CreatorInfo) -> dict[str, Any]:
    """The JSON stored on the account (``TikTokAccount.creator_info``) for a
    creator who may post; ``CreatorRules.from_snapshot`` reads it back."""
    return {
        "nickname": info.nickname,
        "username": info.username,
        "avatar_url": info.avatar_url,
        "privacy_level_options": list(info.privacy_level_options),
        "comment_disabled": info.comment_disabled,
        "duet_disabled": info.duet_disabled,
        "stitch_disabled": info.stitch_disabled,
        "max_video_post_duration_sec": info.max_video_post_duration_sec,
        "can_post": True,
    }


def tiktok_account_check_creator_info(*, account_id: int) -> CreatorRules:
    """Ask TikTok what the creator may post now (§4.2), through the gateway;
    store the snapshot on the account and return it as rules.

    A creator who cannot post right now (daily cap, ban, app's user cap; HTTP 200
    on purpose) is a normal answer, stored with ``can_post: False`` and TikTok's
    reason; so is a missing ``video.publish`` scope. Raises
    ``ComeBackLaterError`` (rate limit or breaker; nothing stored),
    ``ReconnectRequiredError`` and other ``TikTokError`` subclasses.
    """
    snapshot: dict[str, Any]
    try:
        snapshot = creator_info_snapshot(
            account_calls.creator_info(account_id=account_id)
        )
    except (TikTokQuotaError, TikTokAccountBlockedError) as error:
        previous = TikTokAccount.objects.get(pk=account_id).creator_info
        snapshot = {
            **previous,
            "can_post": False,
            "blocked_code": error.code,
            "blocked_reason": error.staff_message,
        }
    except TikTokScopeError as error:
        snapshot = {
            "can_post": False,
            "blocked_code": error.code,
            "blocked_reason": "The account did not grant video.publish; reconnect it.",
        }
    TikTokAccount.objects.filter(pk=account_id).update(
        creator_info=snapshot, creator_info_fetched_at=timezone.now()
    )
    return CreatorRules.from_snapshot(snapshot)


def tiktok_account_disconnect(*, account_id: int) -> str:
    """Revoke at TikTok, wipe the tokens, keep the history; pause scheduled jobs.

    Returns a sentence for staff. A revoke TikTok could not confirm still
    disconnects locally (the user asked to stop) and says so.
    """
    note = "Disconnected; TikTok revoked Postdeck's access."
    try:
        account_calls.revoke_access(account_id=account_id)
    except TikTokError as error:
        note = (
            "Disconnected in Postdeck, but TikTok did not confirm the revoke "
            f"({error.code}); remove Postdeck under the account's TikTok "
            "settings to be sure."
        )
    now = timezone.now()
    with transaction.atomic():
        TikTokAccount.objects.filter(pk=account_id).update(
            status=TikTokAccount.Status.DISCONNECTED,
            status_reason="Disconnected by staff.",
            access_token=None,
            refresh_token=None,
            disconnected_at=now,
        )
        publish_jobs_pause_for_account(
            account_id=account_id, at=now, on_disconnect=True
        )
    return note


def workspace_for_connect(
    *, workspace_id: int, workspace_ids: set[int] | None
) -> Workspace:
    """The workspace an account will be connected to, if the user may use it."""
    workspaces = Workspace.objects.all()
    if workspace_ids is not None:
        workspaces = workspaces.filter(pk__in=workspace_ids)
    try:
        return workspaces.get(pk=workspace_id)
    except Workspace.DoesNotExist as error:
        raise ConnectError("Choose one of your workspaces to connect to.") from error
