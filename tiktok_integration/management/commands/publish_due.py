from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tiktok_integration.tasks import (
    dispatch_publish_jobs_task,
    poll_publish_jobs_task,
    reconcile_publish_jobs_task,
)


class Command(BaseCommand):
    help = (
        "Run one publishing tick for installations without celery beat (e.g. from "
        "cron every minute): claim due posts, claim due status checks and "
        "re-drive abandoned jobs, handing them to the publish workers. Safe to "
        "run next to beat or twice at once: every claim is a compare-and-set."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        dispatched = dispatch_publish_jobs_task()
        polled = poll_publish_jobs_task()
        counts = reconcile_publish_jobs_task()
        self.stdout.write(
            f"Dispatched {dispatched} job(s), {polled} status check(s); "
            f"re-driven {counts['reclaimed']}, sent to review {counts['reviewed']}."
        )
