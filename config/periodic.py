"""The periodic tasks beat runs, declared in code and written by setup_periodic_tasks.

Interval schedules only, in UTC: crontab rows drift around DST changes
(django-celery-beat #134, #604), and every tick's handler is idempotent so an
accidental second beat changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PeriodicTaskSpec:
    name: str
    task: str
    every_seconds: int
    queue: str = "default"
    description: str = ""


PERIODIC_TASKS: tuple[PeriodicTaskSpec, ...] = (
    PeriodicTaskSpec(
        name="Refresh TikTok tokens before they expire",
        task="tiktok.refresh_expiring_tokens",
        every_seconds=300,
        description="Sends one single-flight refresh per account whose access token "
        "expires within 30 min (again after 10 min if it is still due), on the "
        "token queue.",
    ),
    PeriodicTaskSpec(
        name="Remind staff to reconnect TikTok accounts",
        task="tiktok.send_token_expiry_reminders",
        every_seconds=3600,
        description="Email 14 days before an account's refresh token expires.",
    ),
    PeriodicTaskSpec(
        name="TikTok sandbox: advance publishes and send webhooks",
        task="tiktok_sandbox.advance",
        every_seconds=5,
        description="Moves sandbox publishes through processing and moderation "
        "and delivers its signed webhooks; does nothing outside sandbox mode.",
    ),
    PeriodicTaskSpec(
        name="Dispatch due TikTok posts",
        task="tiktok.dispatch_publish_jobs",
        every_seconds=5,
        description="Claims due publish jobs (SKIP LOCKED) and hands them to the "
        "publish workers; jobs due before the next tick get a short countdown.",
    ),
    PeriodicTaskSpec(
        name="Check TikTok posts in processing",
        task="tiktok.poll_publish_jobs",
        every_seconds=5,
        description="Status checks of jobs TikTok is processing, each at its own "
        "backed-off time within the 30/min status limit.",
    ),
    PeriodicTaskSpec(
        name="Reconcile TikTok publish jobs",
        task="tiktok.reconcile_publish_jobs",
        every_seconds=60,
        description="Re-drives jobs whose worker died, restores lost poll times "
        "and prunes rate-limit rows.",
    ),
    PeriodicTaskSpec(
        name="Sync TikTok analytics",
        task="tiktok.analytics_sync_all",
        every_seconds=3600,
        description="Profile counts and video metrics of every connected account, "
        "in the fewest Display API calls; each video sampled by its age.",
    ),
    PeriodicTaskSpec(
        name="Thin old TikTok analytics snapshots",
        task="tiktok.analytics_thin_snapshots",
        every_seconds=24 * 3600,
        description="Keeps one snapshot a day per video for samples older than "
        "90 days.",
    ),
    PeriodicTaskSpec(
        name="Recover stalled media conversions",
        task="media_library.sweep_conversions",
        every_seconds=300,
        description="Fails 'Make TikTok-ready' runs whose worker went silent and "
        "re-sends ones no worker has picked up.",
    ),
    PeriodicTaskSpec(
        name="Send daily review email digests",
        task="cms.review_email_digests",
        every_seconds=3600,
        description="One email a day at most, listing the unread review "
        "notifications of each user who chose the daily digest.",
    ),
    PeriodicTaskSpec(
        name="Remind reviewers of posts still in review",
        task="cms.review_reminders",
        every_seconds=600,
        description="Once per review round, emails and notifies the reviewers "
        "of a post still in review within its workspace's reminder hours of "
        "its planned time.",
    ),
    PeriodicTaskSpec(
        name="Clean up expired task results",
        task="celery.backend_cleanup",
        every_seconds=24 * 3600,
        description="Removes task results older than CELERY_RESULT_EXPIRES.",
    ),
)
