"""Celery tasks: thin, take ids, call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

# Imported for its side effect too: registers the post.publish.* webhook handlers
# in every process that applies webhooks.
from tiktok_integration.publishing import webhooks as _publish_webhooks  # noqa: F401
from tiktok_integration.publishing.leases import Claim
from tiktok_integration.publishing.reconcile import (
    publish_dispatch_tick,
    publish_poll_tick,
    publish_reconcile_tick,
)
from tiktok_integration.publishing.status import publish_job_poll
from tiktok_integration.publishing.steps import publish_job_run
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


# --- Publishing (RELIABILITY.md §1.2) ----------------------------------------------
# Ticks run on the default queue so long uploads never delay them; the steps run
# on the publish queue (CELERY_TASK_ROUTES "tiktok.publish_*"), acknowledged
# late and re-queued if the worker dies: safe because a step only acts under a
# lease it takes from the database, so a duplicate or stale message does nothing,
# and a job that keeps killing its worker ends in Needs review.


def _send_claims(claims: list[Claim], task: Any) -> int:
    for claim in claims:
        task.apply_async((claim.job_id, claim.lease_version), countdown=claim.countdown)
    return len(claims)


@shared_task(
    name="tiktok.publish_run",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def publish_run_task(publish_job_id: int, lease_version: int) -> str:
    """Drive one claimed job: creator check, init, upload."""
    return publish_job_run(publish_job_id=publish_job_id, lease_version=lease_version)


@shared_task(
    name="tiktok.publish_poll",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def publish_poll_task(publish_job_id: int, lease_version: int) -> str:
    """One status check of a job TikTok is processing."""
    return publish_job_poll(publish_job_id=publish_job_id, lease_version=lease_version)


@shared_task(name="tiktok.dispatch_publish_jobs", ignore_result=True)
def dispatch_publish_jobs_task() -> int:
    """Beat tick: claim due jobs and hand them to publish workers."""
    return _send_claims(publish_dispatch_tick(), publish_run_task)


@shared_task(name="tiktok.poll_publish_jobs", ignore_result=True)
def poll_publish_jobs_task() -> int:
    """Beat tick: claim jobs whose TikTok status check is due."""
    return _send_claims(publish_poll_tick(), publish_poll_task)


@shared_task(name="tiktok.reconcile_publish_jobs", ignore_result=True)
def reconcile_publish_jobs_task() -> dict[str, int]:
    """Beat tick: re-drive abandoned jobs, restore lost poll times, prune."""
    claims, counts = publish_reconcile_tick()
    _send_claims(claims, publish_run_task)
    return counts
