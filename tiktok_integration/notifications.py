"""Tell a workspace's staff about their TikTok accounts, by email.

The admin dashboard shows the same facts ("Accounts to reconnect"); email reaches
staff who are not looking at it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from tiktok_integration.models import TikTokAccount
from workspaces.models import WorkspaceMembership

logger = logging.getLogger(__name__)


def _recipients(workspace_id: int) -> list[str]:
    # Client reviewers see posts to review, never the workspace's accounts.
    memberships = (
        WorkspaceMembership.objects.filter(
            workspace_id=workspace_id, user__is_active=True
        )
        .exclude(user__email="")
        .exclude(role=WorkspaceMembership.Role.CLIENT_REVIEWER)
    )
    managers = memberships.filter(role=WorkspaceMembership.Role.MANAGER)
    chosen = managers if managers.exists() else memberships
    return sorted(set(chosen.values_list("user__email", flat=True)))


def _send(account: TikTokAccount, subject: str, body: str) -> None:
    recipients = _recipients(account.workspace_id)
    if not recipients:
        logger.warning(
            "No one to tell about TikTok account %s: %s", account.pk, subject
        )
        return
    send_mail(
        subject=f"[Postdeck] {subject}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
        fail_silently=False,
    )


def _admin_link(account: TikTokAccount) -> str:
    return (
        f"{settings.BASE_URL}/{settings.ADMIN_URL}"
        f"tiktok_integration/tiktokaccount/{account.pk}/change/"
    )


def notify_reconnect_needed(*, account_id: int, paused_jobs: int) -> None:
    account = TikTokAccount.objects.select_related("workspace").get(pk=account_id)
    _send(
        account,
        f"Reconnect TikTok account {account} ({account.workspace})",
        f"Postdeck can no longer publish to {account} for {account.workspace}.\n\n"
        f"Why: {account.status_reason}\n\n"
        f"{paused_jobs} scheduled post(s) are paused, not lost: they go out as "
        "soon as someone reconnects the account.\n\n"
        f"Reconnect it here: {_admin_link(account)}\n",
    )


def notify_refresh_token_expiring(*, account_id: int) -> None:
    account = TikTokAccount.objects.select_related("workspace").get(pk=account_id)
    expires = account.refresh_token_expires_at
    days = max(0, (expires - timezone.now()).days) if expires else 0
    _send(
        account,
        f"TikTok account {account} must be reconnected within {days} days",
        f"TikTok lets Postdeck keep {account} connected for a limited time. The "
        f"connection ends in {days} days ({expires:%Y-%m-%d %H:%M} UTC); after that "
        "scheduled posts pause until someone reconnects.\n\n"
        f"Reconnect it now (takes three clicks): {_admin_link(account)}\n",
    )
