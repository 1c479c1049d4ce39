"""Read-side queries for the dashboard staff start their day on: each account's
posts today and tomorrow, and how full each account's week is.

Every function runs a fixed number of queries however many accounts and jobs
there are (rows are grouped in Python).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings

from tiktok_integration.models import PublishJob, TikTokAccount


@dataclass
class AccountDays:
    """One account's jobs going out today and tomorrow (local days), each list
    ordered by time."""

    account: TikTokAccount
    today: list[PublishJob] = field(default_factory=list)
    tomorrow: list[PublishJob] = field(default_factory=list)


@dataclass
class AccountWeek:
    """How many posts each of the next 7 local days holds for one account
    (``days``: (day, count) pairs, today first) against TikTok's daily cap
    (``cap``, posts per 24 hours, docs/tiktok.md §6)."""

    account: TikTokAccount
    days: list[tuple[date, int]]
    cap: int

    @property
    def total(self) -> int:
        """Posts planned over the 7 days."""
        return sum(count for _, count in self.days)

    @property
    def busiest(self) -> int:
        """The fullest day's count."""
        return max((count for _, count in self.days), default=0)


def dashboard_accounts(*, workspace_ids: Collection[int] | None) -> list[TikTokAccount]:
    """The accounts a dashboard shows (not disconnected), with their
    workspaces, ordered by workspace then @username. One query."""
    accounts = TikTokAccount.objects.exclude(
        status=TikTokAccount.Status.DISCONNECTED
    ).select_related("workspace")
    if workspace_ids is not None:
        accounts = accounts.filter(workspace_id__in=workspace_ids)
    return list(accounts.order_by("workspace__name", "username", "pk"))


def _local_midnight(now: datetime, zone: tzinfo) -> datetime:
    local = now.astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone)


def dashboard_account_days(
    *, accounts: list[TikTokAccount], now: datetime, zone: tzinfo
) -> list[AccountDays]:
    """For each of ``accounts``, its jobs (not cancelled) scheduled today and
    tomorrow as clocks in ``zone`` show them, with their posts. One query."""
    today = _local_midnight(now, zone)
    tomorrow = today + timedelta(days=1)
    after = today + timedelta(days=2)
    plans = {account.pk: AccountDays(account) for account in accounts}
    jobs = (
        PublishJob.objects.filter(
            account_id__in=plans,
            scheduled_at__gte=today,
            scheduled_at__lt=after,
        )
        .exclude(status=PublishJob.Status.CANCELLED)
        .select_related("post")
        .order_by("scheduled_at", "pk")
    )
    for job in jobs:
        plan = plans[job.account_id]
        if job.scheduled_at is None:  # filtered out; narrows the type
            continue
        (plan.today if job.scheduled_at < tomorrow else plan.tomorrow).append(job)
    return list(plans.values())


def dashboard_week_capacity(
    *, accounts: list[TikTokAccount], now: datetime, zone: tzinfo
) -> list[AccountWeek]:
    """For each of ``accounts``, its planned or sent posts (not cancelled or
    failed) on each of the next 7 days in ``zone``, today first. One query."""
    start = _local_midnight(now, zone)
    days = [(start + timedelta(days=n)).date() for n in range(7)]
    counts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    moments = (
        PublishJob.objects.filter(
            account_id__in=[account.pk for account in accounts],
            scheduled_at__gte=start,
            scheduled_at__lt=start + timedelta(days=7),
        )
        .exclude(status__in=(PublishJob.Status.CANCELLED, PublishJob.Status.FAILED))
        .values_list("account_id", "scheduled_at")
    )
    for account_id, moment in moments:
        counts[account_id][moment.astimezone(zone).date()] += 1
    cap = settings.TIKTOK_DAILY_POST_CAP
    return [
        AccountWeek(account, [(day, counts[account.pk][day]) for day in days], cap)
        for account in accounts
    ]
