"""Posts on the calendar: a wall time in the workspace's zone, copies in the
states a test needs, and the next spring-forward day of a zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.utils import timezone

from cms.models import Post
from tests.factories.cms import PostFactory, schedule
from tests.factories.tiktok import PublishJobFactory
from tiktok_integration.models import PublishJob, TikTokAccount
from workspaces.models import Workspace


def planned(
    workspace: Workspace,
    wall: datetime,
    accounts: tuple[TikTokAccount, ...] = (),
    status: str = PublishJob.Status.SCHEDULED,
    mode: str = "direct",
    title: str = "",
) -> Post:
    """A post at ``wall`` (naive, workspace's zone) with one copy per account."""
    post = cast(
        Post, PostFactory(workspace=workspace, **({"title": title} if title else {}))
    )
    schedule(post, wall)
    for account in accounts:
        PublishJobFactory(
            post=post,
            account=account,
            scheduled_at=post.scheduled_at,
            status=status,
            mode=mode,
        )
    return post


def days_ahead(days: int, hour: int, minute: int = 0) -> datetime:
    """A naive wall time ``days`` from today at hour:minute."""
    day = timezone.now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001


def next_spring_forward(zone: str) -> date:
    """The next day (after a week from now) the clocks of ``zone`` go forward."""
    tz = ZoneInfo(zone)
    day = timezone.now().date() + timedelta(days=7)
    for _ in range(400):
        before = datetime(day.year, day.month, day.day, 0, tzinfo=tz).utcoffset()
        after = datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()
        if before is not None and after is not None and after > before:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} has no spring-forward day within a year")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001


def member_of(workspace: Workspace) -> Any:
    from tests.factories.workspaces import MembershipFactory

    return MembershipFactory(workspace=workspace).user
