"""Celery tasks: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from tiktok_integration.services.tokens import (
    tiktok_account_refresh_expiring,
    tiktok_account_send_expiry_reminders,
)


@shared_task(name="tiktok.refresh_expiring_tokens", ignore_result=True)
def refresh_expiring_tokens_task() -> int:
    """Refresh access tokens that expire within the sweep window."""
    return tiktok_account_refresh_expiring()


@shared_task(name="tiktok.send_token_expiry_reminders", ignore_result=True)
def send_token_expiry_reminders_task() -> int:
    """Email staff 14 days before an account's connection runs out."""
    return tiktok_account_send_expiry_reminders()


@shared_task(name="tiktok.webhook_event_apply", ignore_result=True)
def webhook_event_apply_task(event_id: int) -> None:
    from tiktok_integration.services.webhooks import webhook_event_apply

    webhook_event_apply(event_id=event_id)


@shared_task(name="tiktok.account_sync_profile", ignore_result=True)
def account_sync_profile_task(account_id: int) -> None:
    from tiktok_integration.services.accounts import tiktok_account_sync_profile

    tiktok_account_sync_profile(account_id=account_id)
