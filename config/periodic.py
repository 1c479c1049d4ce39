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
        description="Single-flight refresh of access tokens expiring within 30 min.",
    ),
    PeriodicTaskSpec(
        name="Remind staff to reconnect TikTok accounts",
        task="tiktok.send_token_expiry_reminders",
        every_seconds=3600,
        description="Email 14 days before an account's refresh token expires.",
    ),
    PeriodicTaskSpec(
        name="Clean up expired task results",
        task="celery.backend_cleanup",
        every_seconds=24 * 3600,
        description="Removes task results older than CELERY_RESULT_EXPIRES.",
    ),
)
