"""Celery tasks: thin, take ids, call one service; and the only way to enqueue them.

Every message the product sends goes through an ``enqueue_*`` function here, so
the task names, argument shapes and countdowns live in one module.

This module imports the services at its top, as an interface layer does, so a
worker has the whole publishing stack loaded before it forks its pool and no
message pays for imports while its lease runs. The one service that enqueues
(``publishing.run`` sends a parked job's wake-up) therefore imports its
``enqueue_*`` function when it sends, which breaks the cycle
(tasks → run → tasks) in that single place. The post.publish.* webhook
handlers are registered by the app's ``ready()`` in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task

from tiktok_integration.analytics.sync import (
    analytics_account_sync,
    analytics_accounts_to_sync,
)
from tiktok_integration.analytics.thinning import analytics_snapshots_thin
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.publishing.dispatch import (
    publish_dispatch_tick,
    publish_poll_tick,
    publish_reconcile_tick,
)
from tiktok_integration.publishing.leases import Claim
from tiktok_integration.publishing.run import publish_job_run
from tiktok_integration.publishing.status import publish_job_poll
from tiktok_integration.services.tokens import (
    tiktok_account_refresh_if_expiring,
    tiktok_account_send_expiry_reminders,
    tiktok_accounts_to_refresh,
)


@shared_task(name="tiktok.refresh_expiring_tokens", ignore_result=True)
def refresh_expiring_tokens_task() -> int:
    """Beat tick: one refresh message per account whose access token expires
    within the window and was not sent one lately, on the token queue
    (``CELERY_TOKEN_QUEUE``), so the token workers share the refreshes and no
    backlog of ticks or publishes delays them (one task refreshing them in
    turn fell behind in bench/bench_scale.py). Returns how many were sent."""
    account_ids = tiktok_accounts_to_refresh()
    for account_id in account_ids:
        enqueue_refresh_account_token(account_id=account_id)
    return len(account_ids)


@shared_task(name="tiktok.refresh_account_token", ignore_result=True)
def refresh_account_token_task(account_id: int) -> bool:
    """Refresh one account's tokens if they still expire soon (``TikTokAccount`` id)."""
    return tiktok_account_refresh_if_expiring(account_id=account_id)


def enqueue_refresh_account_token(*, account_id: int) -> None:
    """Send ``refresh_account_token_task`` for a ``TikTokAccount`` id."""
    refresh_account_token_task.delay(account_id)


@shared_task(name="tiktok.send_token_expiry_reminders", ignore_result=True)
def send_token_expiry_reminders_task() -> int:
    """Email staff 14 days before an account's connection runs out."""
    return tiktok_account_send_expiry_reminders()


@shared_task(name="tiktok.webhook_event_apply", ignore_result=True)
def webhook_event_apply_task(event_id: int) -> None:
    """Apply one stored webhook event (``WebhookEvent`` id)."""
    from tiktok_integration.services.webhooks import webhook_event_apply

    webhook_event_apply(event_id=event_id)


def enqueue_webhook_event_apply(*, event_id: int) -> None:
    """Send ``webhook_event_apply_task`` for a stored ``WebhookEvent`` id."""
    webhook_event_apply_task.delay(event_id)


@shared_task(name="tiktok.account_sync_profile", ignore_result=True)
def account_sync_profile_task(account_id: int) -> None:
    """Refresh a connected account's profile from TikTok."""
    from tiktok_integration.services.accounts import tiktok_account_sync_profile

    tiktok_account_sync_profile(account_id=account_id)


# --- Publishing (docs/reliability.md §4) ----------------------------------------------
# Ticks run on the default queue so long uploads never delay them; the steps run
# on the publish queue (CELERY_TASK_ROUTES "tiktok.publish_*"), acknowledged
# late and re-queued if the worker dies: safe because a step only acts under a
# lease it takes from the database, so a duplicate or stale message does nothing,
# and a job that keeps killing its worker ends in Needs review.


@shared_task(
    name="tiktok.publish_run",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def publish_run_task(publish_job_id: int, lease_version: int) -> str:
    """Drive one claimed job: creator check, init, upload."""
    return publish_job_run(publish_job_id=publish_job_id, lease_version=lease_version)


def enqueue_publish_run(
    *, publish_job_id: int, lease_version: int, countdown: float = 0.0
) -> None:
    """Send ``publish_run_task`` for a job claimed at ``lease_version``, to run
    in ``countdown`` seconds (keep it under about two minutes: the dispatch
    tick is the net for longer waits)."""
    publish_run_task.apply_async((publish_job_id, lease_version), countdown=countdown)


@shared_task(
    name="tiktok.publish_poll",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def publish_poll_task(publish_job_id: int, lease_version: int) -> str:
    """One status check of a job TikTok is processing."""
    return publish_job_poll(publish_job_id=publish_job_id, lease_version=lease_version)


def enqueue_publish_poll(
    *, publish_job_id: int, lease_version: int, countdown: float = 0.0
) -> None:
    """Send ``publish_poll_task`` for a status check claimed at ``lease_version``."""
    publish_poll_task.apply_async((publish_job_id, lease_version), countdown=countdown)


def _send_claims(claims: list[Claim], enqueue: Callable[..., None]) -> int:
    for claim in claims:
        enqueue(
            publish_job_id=claim.job_id,
            lease_version=claim.lease_version,
            countdown=claim.countdown,
        )
    return len(claims)


@shared_task(name="tiktok.dispatch_publish_jobs", ignore_result=True)
def dispatch_publish_jobs_task() -> int:
    """Beat tick: claim due jobs and hand them to publish workers."""
    return _send_claims(publish_dispatch_tick(), enqueue_publish_run)


@shared_task(name="tiktok.poll_publish_jobs", ignore_result=True)
def poll_publish_jobs_task() -> int:
    """Beat tick: claim jobs whose TikTok status check is due."""
    return _send_claims(publish_poll_tick(), enqueue_publish_poll)


@shared_task(name="tiktok.reconcile_publish_jobs", ignore_result=True)
def reconcile_publish_jobs_task() -> dict[str, int]:
    """Beat tick: re-drive abandoned jobs, restore lost poll times, prune."""
    claims, counts = publish_reconcile_tick()
    _send_claims(claims, enqueue_publish_run)
    return counts


# --- Analytics (docs/tiktok.md §3) ------------------------------------------------
#: Display-window waits this short (seconds) are slept through inside a sync task;
#: longer ones re-queue the task for when the window has room.
ANALYTICS_SLEEP_AT_MOST_SECONDS = 5.0


@shared_task(
    name="tiktok.analytics_sync_account",
    bind=True,
    ignore_result=True,
    max_retries=20,
)
def analytics_sync_account_task(self: Any, account_id: int) -> None:
    """Sync one account's profile counts, videos and snapshots."""
    try:
        analytics_account_sync(
            account_id=account_id, max_wait_seconds=ANALYTICS_SLEEP_AT_MOST_SECONDS
        )
    except ComeBackLaterError as error:
        raise self.retry(countdown=error.delay) from error


def enqueue_analytics_sync_account(*, account_id: int, countdown: float = 0.0) -> None:
    """Send ``analytics_sync_account_task`` for a ``TikTokAccount`` id."""
    analytics_sync_account_task.apply_async((account_id,), countdown=countdown)


#: Seconds between the sends of two accounts' syncs, so a beat tick spreads
#: them instead of queueing every account at once.
ANALYTICS_SPREAD_SECONDS = 2.0


@shared_task(name="tiktok.analytics_sync_all", ignore_result=True)
def analytics_sync_all_task() -> int:
    """Beat tick: one sync per connected account, spread out. Returns how many."""
    account_ids = analytics_accounts_to_sync()
    for index, account_id in enumerate(account_ids):
        enqueue_analytics_sync_account(
            account_id=account_id, countdown=index * ANALYTICS_SPREAD_SECONDS
        )
    return len(account_ids)


@shared_task(name="tiktok.analytics_thin_snapshots", ignore_result=True)
def analytics_thin_snapshots_task() -> int:
    """Beat tick: thin snapshots older than 90 days to one a day."""
    return analytics_snapshots_thin()
