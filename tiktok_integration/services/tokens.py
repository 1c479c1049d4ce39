"""The token lifecycle: fresh access tokens, single-flight refresh, reconnect needed.

Refresh tokens rotate (the old one dies the moment a new one is issued), so two
workers refreshing one account at once would strand it. A refresh therefore
first takes a short refresh lease on the account row by compare-and-set,
re-checks expiry, calls TikTok with no transaction open (on SQLite an open
transaction would block every other writer for the whole call), and saves the
rotated tokens in one UPDATE fenced by ``token_version`` (docs/reliability.md §8).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from tiktok_integration.client import (
    TikTokAmbiguousError,
    TikTokReauthError,
    TikTokTransientError,
    TokenGrant,
)
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.encryption import SealedSecret
from tiktok_integration.gateway.attempts import attempt_recorder
from tiktok_integration.gateway.clients import oauth_client
from tiktok_integration.models import TikTokAccount
from tiktok_integration.notifications import notify_reconnect_needed
from tiktok_integration.publishing.transitions import (
    publish_jobs_pause_for_account,
    publish_jobs_resume_for_account,
)

logger = logging.getLogger(__name__)

# Longer than two OAuth calls at their timeouts (the lost-reply retry included).
REFRESH_LEASE = timedelta(seconds=60)
REFRESH_WAIT_POLL_SECONDS = 0.1
REMINDER_BEFORE = timedelta(days=14)


class ReconnectRequiredError(Exception):
    """The account cannot be used until a person reconnects it."""

    def __init__(self, account_id: int, reason: str) -> None:
        super().__init__(reason)
        self.account_id = account_id
        self.reason = reason


def apply_token_grant(
    *, account: TikTokAccount, grant: TokenGrant, now: datetime
) -> None:
    """Copy a token response onto ``account`` (unsaved; the caller saves it) and
    move its ``token_version`` on."""
    account.access_token = grant.access_token
    account.access_token_expires_at = now + timedelta(seconds=grant.expires_in)
    if grant.refresh_token:
        account.refresh_token = grant.refresh_token
    if grant.refresh_expires_in:
        account.refresh_token_expires_at = now + timedelta(
            seconds=grant.refresh_expires_in
        )
    if grant.scopes:
        account.granted_scopes = sorted(grant.scopes)
    account.token_version += 1
    account.last_refreshed_at = now


def _reveal(secret: SealedSecret | None, account_id: int) -> str:
    if secret is None:
        raise ReconnectRequiredError(account_id, "The account has no stored token.")
    return secret.reveal()


def _refresh_skew() -> timedelta:
    # Longer than the longest single step that uses a token, so a token handed
    # out is still valid when the step sends its last request.
    return timedelta(seconds=settings.TIKTOK_TOKEN_REFRESH_SKEW_SECONDS)


def _is_fresh(account: TikTokAccount, now: datetime) -> bool:
    return (
        account.access_token is not None
        and account.access_token_expires_at is not None
        and account.access_token_expires_at > now + _refresh_skew()
    )


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A usable access token (§1.4) and the ``token_version`` it belongs to.

    ``is_new``: it was issued during this call (by this caller's refresh or by
    another caller's that this one waited for), so a 401 on it means TikTok
    refuses the grant itself, not an old token.
    """

    value: str = field(repr=False)
    version: int
    is_new: bool


def tiktok_account_access_token(
    *,
    account_id: int,
    force_refresh: bool = False,
    refused_version: int | None = None,
) -> AccessToken:
    """A usable access token for the account, refreshing it first when it
    expires within ``TIKTOK_TOKEN_REFRESH_SKEW_SECONDS`` (10 minutes), as §1.6 advises.

    Single-flight: one caller takes a short refresh lease on the account row (a
    compare-and-set), refreshes, and saves the rotated tokens with one UPDATE
    fenced by ``token_version``; other callers wait for the version to move and
    use the new token. No transaction is held during the HTTP call, so a slow
    TikTok never pins a database connection or lock (on SQLite that lock would
    block the whole file, including the built-in sandbox answering the call).

    ``refused_version``: TikTok just refused the token of that version (a 401 on
    a token that looked fresh, e.g. revoked or expired early upstream). It is
    refreshed unless another caller already replaced it. ``force_refresh``
    refreshes whatever the expiry says (the beat sweep).

    Raises ``ReconnectRequiredError`` when the account needs a person to reconnect
    it: TikTok refused the refresh (§1.9 ``invalid_grant``), so it is then marked
    "reconnect needed", its jobs paused and staff told. Raises
    ``TikTokTransientError``/``TikTokRateLimitedError`` when TikTok is unavailable.
    """
    account = TikTokAccount.objects.get(pk=account_id)
    seen_version = account.token_version
    replaced = refused_version is not None and refused_version != seen_version
    must_refresh = force_refresh or (refused_version is not None and not replaced)
    deadline = time.monotonic() + REFRESH_LEASE.total_seconds() + 5
    while True:
        if account.status != TikTokAccount.Status.ACTIVE:
            raise ReconnectRequiredError(
                account_id, account.status_reason or "Reconnect the account."
            )
        if replaced or account.token_version != seen_version:
            # Someone else refreshed (before or while we waited).
            return AccessToken(
                _reveal(account.access_token, account.pk), account.token_version, True
            )
        if not must_refresh and _is_fresh(account, timezone.now()):
            return AccessToken(
                _reveal(account.access_token, account.pk), account.token_version, False
            )
        if _claim_refresh(account_id=account_id, token_version=seen_version):
            break
        if time.monotonic() > deadline:
            raise TikTokTransientError(
                code="refresh_in_progress",
                message="Another worker is still refreshing this account's token.",
                endpoint=Endpoint.OAUTH_TOKEN_REFRESH.value,
            )
        time.sleep(REFRESH_WAIT_POLL_SECONDS)
        account = TikTokAccount.objects.get(pk=account_id)
    value = _refresh_as_lease_holder(account=account, token_version=seen_version)
    return AccessToken(value, seen_version + 1, True)


def _claim_refresh(*, account_id: int, token_version: int) -> bool:
    lease_free = Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=Now())
    return (
        TikTokAccount.objects.filter(
            lease_free,
            pk=account_id,
            token_version=token_version,
            status=TikTokAccount.Status.ACTIVE,
        ).update(refresh_lease_until=Now() + REFRESH_LEASE)
        == 1
    )


def _refresh_as_lease_holder(*, account: TikTokAccount, token_version: int) -> str:
    refusal: ReconnectRequiredError | None = None
    grant: TokenGrant | None = None
    try:
        if account.refresh_token is None:
            refusal = ReconnectRequiredError(
                account.pk,
                "TikTok did not give a refresh token; reconnect the account.",
            )
        else:
            grant = _refresh_with_one_retry(account)
    except TikTokReauthError as error:
        refusal = ReconnectRequiredError(
            account.pk,
            "TikTok no longer accepts this account's authorization "
            f"({error.code}); reconnect it to keep publishing.",
        )
    except TikTokAmbiguousError:
        refusal = ReconnectRequiredError(
            account.pk,
            "Refreshing the TikTok authorization failed twice without an answer; "
            "reconnect the account to be safe.",
        )
    except BaseException:
        # TikTok unavailable (transient, rate limited) or the worker is stopping:
        # hand the lease back so the next caller can try.
        TikTokAccount.objects.filter(pk=account.pk).update(refresh_lease_until=None)
        raise
    if refusal is not None:
        with transaction.atomic():
            locked = TikTokAccount.objects.select_for_update().get(pk=account.pk)
            _mark_reauth_locked(account=locked, reason=refusal.reason)
        raise refusal
    assert grant is not None  # noqa: S101 - set whenever there was no refusal
    now = timezone.now()
    apply_token_grant(account=account, grant=grant, now=now)
    saved = TikTokAccount.objects.filter(
        pk=account.pk, token_version=token_version
    ).update(
        access_token=account.access_token,
        access_token_expires_at=account.access_token_expires_at,
        refresh_token=account.refresh_token,
        refresh_token_expires_at=account.refresh_token_expires_at,
        granted_scopes=account.granted_scopes,
        token_version=F("token_version") + 1,
        last_refreshed_at=now,
        refresh_lease_until=None,
    )
    if saved != 1:
        # Only possible if the lease outlived REFRESH_LEASE; the rotated token we
        # hold is the newest TikTok issued, so it is still the one to use.
        logger.error(
            "Refreshed tokens for account %s after losing the lease", account.pk
        )
    logger.info("Refreshed TikTok tokens for account %s", account.pk)
    return grant.access_token


def _refresh_with_one_retry(account: TikTokAccount) -> TokenGrant:
    client = oauth_client(on_call=attempt_recorder(account_id=account.pk))
    refresh_token = _reveal(account.refresh_token, account.pk)
    try:
        return client.refresh(refresh_token=refresh_token)
    except TikTokAmbiguousError:
        # The answer was lost; TikTok may have rotated already, in which case this
        # retry gets invalid_grant and the account goes to "reconnect needed".
        return client.refresh(refresh_token=refresh_token)


def _mark_reauth_locked(*, account: TikTokAccount, reason: str) -> None:
    now = timezone.now()
    account.status = TikTokAccount.Status.REAUTH_REQUIRED
    account.status_reason = reason[:300]
    account.reauth_required_at = now
    account.access_token = None
    account.refresh_token = None
    account.save(
        update_fields=[
            "status",
            "status_reason",
            "reauth_required_at",
            "access_token",
            "refresh_token",
        ]
    )
    paused = publish_jobs_pause_for_account(account_id=account.pk, at=now)
    transaction.on_commit(
        lambda: notify_reconnect_needed(account_id=account.pk, paused_jobs=paused)
    )


def tiktok_account_mark_reauth_required(*, account_id: int, reason: str) -> None:
    """Mark the account "reconnect needed", wipe its tokens, pause its scheduled
    jobs (never fail them) and tell the workspace's staff. Idempotent. An
    account staff disconnected stays "disconnected" (TikTok confirming the
    revoke afterwards is no news)."""
    with transaction.atomic():
        account = TikTokAccount.objects.select_for_update().get(pk=account_id)
        if account.status in (
            TikTokAccount.Status.REAUTH_REQUIRED,
            TikTokAccount.Status.DISCONNECTED,
        ):
            return
        _mark_reauth_locked(account=account, reason=reason)


def tiktok_account_resume_paused_jobs(*, account_id: int) -> int:
    """After a reconnect, jobs paused for it go back to the schedule."""
    return publish_jobs_resume_for_account(account_id=account_id, at=timezone.now())


def _refresh_window() -> tuple[timedelta, int]:
    return (
        timedelta(seconds=settings.TIKTOK_TOKEN_REFRESH_WINDOW_SECONDS),
        settings.TIKTOK_TOKEN_REFRESH_JITTER_SECONDS,
    )


def tiktok_accounts_to_refresh(*, now: datetime | None = None) -> list[int]:
    """Mark and return the ids of active accounts whose access token expires
    within the refresh window (``TIKTOK_TOKEN_REFRESH_WINDOW_SECONDS``), each
    account's window stretched by a random jitter (up to
    ``TIKTOK_TOKEN_REFRESH_JITTER_SECONDS``) so a fleet connected at the same
    moment does not refresh in the same second; earliest expiry first.

    An account sent less than ``TIKTOK_TOKEN_REFRESH_RESEND_SECONDS`` ago is
    left out (its message is still queued): re-sending every due account each
    sweep put 2 to 4 copies of each refresh on a lagging queue
    (bench/bench_scale.py), which made it lag more. The returned accounts get
    ``refresh_sent_at = now``. Two indexed queries, however many accounts.
    """
    now = now or timezone.now()
    window, jitter_seconds = _refresh_window()
    resend = timedelta(seconds=settings.TIKTOK_TOKEN_REFRESH_RESEND_SECONDS)
    candidates = (
        TikTokAccount.objects.filter(
            Q(refresh_sent_at__isnull=True) | Q(refresh_sent_at__lte=now - resend),
            status=TikTokAccount.Status.ACTIVE,
            access_token_expires_at__lte=now
            + window
            + timedelta(seconds=jitter_seconds),
        )
        .order_by("access_token_expires_at", "pk")
        .values_list("pk", "access_token_expires_at")
    )
    due = []
    for account_id, expires_at in candidates:
        jitter = timedelta(seconds=random.uniform(0, jitter_seconds))  # noqa: S311
        if expires_at is None or expires_at <= now + window + jitter:
            due.append(account_id)
    if due:
        TikTokAccount.objects.filter(pk__in=due).update(refresh_sent_at=now)
    return due


def tiktok_account_refresh_if_expiring(
    *, account_id: int, now: datetime | None = None
) -> bool:
    """Refresh one account's tokens if they still expire within the window plus
    the whole jitter; returns whether it refreshed.

    A message that arrives after the account was refreshed (by a publish step,
    or an earlier message) finds it fresh and does nothing. A refusal marks the
    account "reconnect needed" (see ``tiktok_account_access_token``); any other
    failure is logged and clears ``refresh_sent_at``, so the next sweep tries
    again. Raises nothing.
    """
    now = now or timezone.now()
    window, jitter_seconds = _refresh_window()
    due = TikTokAccount.objects.filter(
        pk=account_id,
        status=TikTokAccount.Status.ACTIVE,
        access_token_expires_at__lte=now + window + timedelta(seconds=jitter_seconds),
    ).exists()
    if not due:
        return False
    try:
        tiktok_account_access_token(account_id=account_id, force_refresh=True)
    except ReconnectRequiredError:
        return False
    except Exception:
        logger.exception("Refreshing TikTok account %s failed", account_id)
        TikTokAccount.objects.filter(pk=account_id).update(refresh_sent_at=None)
        return False
    return True


def tiktok_account_refresh_expiring(*, now: datetime | None = None) -> int:
    """Refresh every due account (``tiktok_accounts_to_refresh``) one after the
    other in this process; returns how many were refreshed. Beat's sweep sends
    them to the workers instead (``tasks.refresh_expiring_tokens_task``)."""
    now = now or timezone.now()
    return sum(
        tiktok_account_refresh_if_expiring(account_id=account_id, now=now)
        for account_id in tiktok_accounts_to_refresh(now=now)
    )


def tiktok_account_send_expiry_reminders(*, now: datetime | None = None) -> int:
    """Tell staff 14 days before an account's refresh token (and so its
    connection) expires; each account is reminded once per connection."""
    from tiktok_integration.notifications import notify_refresh_token_expiring

    now = now or timezone.now()
    due = TikTokAccount.objects.filter(
        Q(refresh_reminder_sent_at__isnull=True),
        status=TikTokAccount.Status.ACTIVE,
        refresh_token_expires_at__lte=now + REMINDER_BEFORE,
    )
    sent = 0
    for account in due:
        if (
            TikTokAccount.objects.filter(
                pk=account.pk, refresh_reminder_sent_at__isnull=True
            ).update(refresh_reminder_sent_at=now)
            == 1
        ):
            notify_refresh_token_expiring(account_id=account.pk)
            sent += 1
    return sent
