"""Calendar feed (issue 13): a month with 5,000 posts next to one with 50.

Two workspaces in Europe/Rome, three TikTok accounts each; every post has one
publish job (a fifth of them a second one), in every state a calendar shows,
spread over one month; a tenth of the jobs deferred by TikTok's daily cap (so
they also show at their next try) and each account with a posting queue
(Monday to Friday 09:00 and 18:00, its free slots shown). The feed is asked
for that month through the admin view (Django's test client: URL routing, the
admin's checks, the selector, JSON), as the calendar page asks it. Figures,
median of 5 requests each:

- server time for 50 and for 5,000 posts, wall and CPU (this process's own
  work, which the other processes of a busy machine do not inflate), and
  their ratio (posts x100);
- database queries per request (the same for both: they must not grow).

Goal: at most 300 ms of server time for 5,000 posts on this machine, judged
on CPU and on wall time. The machine's load average is printed with the
figures: on a shared machine the wall time is the CPU time stretched by
everyone else's work. The CPU time of one request varies by a full garbage
collection (tens of milliseconds in a process holding Django's ~150,000
objects) landing in it or not: about two requests in five of the 5,000-post
month get one, so the median of 5 usually leaves them out.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

SMALL, LARGE = 50, 5000
REQUESTS = 5
GOAL_MS = 300
STATUSES = ("scheduled", "scheduled", "scheduled", "published", "failed", "processing")


def _workspace(name: str, posts: int, month: datetime) -> int:
    from datetime import time as clock

    from cms.models import Post
    from cms.scheduling import local_to_utc
    from tiktok_integration.models import (
        PostingQueue,
        PublishJob,
        QueueSlot,
        TikTokAccount,
    )
    from workspaces.models import Workspace

    workspace = Workspace.objects.create(
        name=name, slug=name.lower(), time_zone="Europe/Rome"
    )
    accounts = [
        TikTokAccount.objects.create(
            workspace=workspace, open_id=f"{name}-{n}", username=f"{name}.{n}"
        )
        for n in range(3)
    ]
    for account in accounts:
        queue = PostingQueue.objects.create(account=account)
        QueueSlot.objects.bulk_create(
            QueueSlot(queue=queue, weekday=day, local_time=clock(hour))
            for day in range(5)
            for hour in (9, 18)
        )
    minutes = 30 * 24 * 60 // posts
    created = Post.objects.bulk_create(
        Post(
            workspace=workspace,
            title=f"{name} post {n}",
            time_zone="Europe/Rome",
            scheduled_at=local_to_utc(
                month + timedelta(minutes=minutes * n + 7), "Europe/Rome", fold=0
            ),
        )
        for n in range(posts)
    )
    jobs = []
    for n, post in enumerate(created):
        if post.scheduled_at is None:
            raise RuntimeError("every bench post has a time")
        jobs.append(
            PublishJob(
                post=post,
                account=accounts[n % 3],
                scheduled_at=post.scheduled_at,
                status=STATUSES[n % len(STATUSES)],
                privacy_level="SELF_ONLY",
                **(
                    {
                        "deferred_until": post.scheduled_at + timedelta(hours=3),
                        "deferred_reason": PublishJob.DeferralReason.DAILY_CAP,
                        "failure_message": "TikTok's daily post cap.",
                    }
                    if n % 10 == 0
                    else {}
                ),
            )
        )
        if n % 5 == 0:
            jobs.append(
                PublishJob(
                    post=post,
                    account=accounts[(n + 1) % 3],
                    scheduled_at=post.scheduled_at,
                    privacy_level="SELF_ONLY",
                )
            )
    PublishJob.objects.bulk_create(jobs)
    return workspace.pk


def _measure(
    client: Any, workspace_id: int, month: datetime
) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    params = {
        "workspace": workspace_id,
        "start": month.isoformat(),
        "end": (month + timedelta(days=42)).isoformat(),
    }
    url = reverse("admin:calendar_feed")
    times, cpu, queries, events = [], [], 0, 0
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if response.status_code != 200:
            raise RuntimeError(f"feed answered {response.status_code}")
        queries, events = len(captured), len(response.json())
    return statistics.median(times), statistics.median(cpu), queries, events


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    today = timezone.localdate()
    month = datetime(today.year, today.month, 1) + timedelta(days=62)  # noqa: DTZ001
    month = month.replace(day=1)
    small = _workspace("Small", SMALL, month)
    large = _workspace("Large", LARGE, month)
    user = get_user_model().objects.create_superuser(
        "bench-calendar", "bench@example.com", "unused-password-1"
    )
    client = Client()
    client.force_login(user)
    _measure(client, small, month)  # warm up: URL resolver, templates, caches
    load = os.getloadavg()[0]
    small_time, small_cpu, small_queries, small_events = _measure(client, small, month)
    large_time, large_cpu, large_queries, large_events = _measure(client, large, month)
    print(f"month of {month:%B %Y}, feed through the admin view, median of {REQUESTS}")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at the start "
        "(wall time grows with it; CPU time is this process's own work)"
    )
    for posts, wall, cpu, queries, events in (
        (SMALL, small_time, small_cpu, small_queries, small_events),
        (LARGE, large_time, large_cpu, large_queries, large_events),
    ):
        print(
            f"{posts:>5} posts: {wall * 1000:7.1f} ms wall, {cpu * 1000:7.1f} ms CPU, "
            f"{queries} queries, {events} events"
        )
    print(
        f"ratio {LARGE} / {SMALL} posts: {large_time / small_time:.1f}x wall time, "
        f"{large_cpu / small_cpu:.1f}x CPU time for {LARGE // SMALL}x posts; "
        f"queries {large_queries} vs {small_queries}"
    )
    for kind, spent in (("CPU", large_cpu), ("wall", large_time)):
        verdict = "met" if spent * 1000 <= GOAL_MS else "NOT met"
        print(f"goal <= {GOAL_MS} ms {kind} for {LARGE} posts: {verdict}")
    # As the web process runs (config/wsgi.py): start-up objects frozen out of
    # the collector's view, so a full collection walks only the request's own.
    # Compared on the mean of 20 requests, where the collections show.
    before = _mean_cpu(client, large, month)
    gc.collect()
    gc.freeze()
    after = _mean_cpu(client, large, month)
    print(
        f"{LARGE:>5} posts, mean CPU of 20 requests: {before * 1000:.1f} ms; with "
        f"start-up objects frozen as config/wsgi.py does: {after * 1000:.1f} ms "
        f"({after / before:.2f}x)"
    )


def _mean_cpu(client: Any, workspace_id: int, month: datetime) -> float:
    from django.urls import reverse

    params = {
        "workspace": workspace_id,
        "start": month.isoformat(),
        "end": (month + timedelta(days=42)).isoformat(),
    }
    url = reverse("admin:calendar_feed")
    spent = []
    for _ in range(20):
        started = time.process_time()
        client.get(url, params)
        spent.append(time.process_time() - started)
    return statistics.mean(spent)
