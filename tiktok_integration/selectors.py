"""Read-side queries for TikTok accounts and publish jobs."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from tiktok_integration.models import PublishJob, TikTokAccount


def _scoped_jobs(workspace_ids: set[int] | None) -> QuerySet[PublishJob]:
    jobs = PublishJob.objects.all()
    if workspace_ids is not None:
        jobs = jobs.filter(post__workspace_id__in=workspace_ids)
    return jobs


def publish_job_list_scheduled_between(
    *, workspace_ids: set[int] | None, start: datetime, end: datetime
) -> QuerySet[PublishJob]:
    return (
        _scoped_jobs(workspace_ids)
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .exclude(status=PublishJob.Status.CANCELLED)
        .select_related("post", "account", "post__workspace")
        .order_by("scheduled_at")
    )


def publish_job_list_needing_attention(
    *, workspace_ids: set[int] | None
) -> QuerySet[PublishJob]:
    return (
        _scoped_jobs(workspace_ids)
        .filter(status__in=PublishJob.NEEDS_ATTENTION)
        .select_related("post", "account", "post__workspace")
        .order_by("-updated_at")
    )


def tiktok_account_list_needing_reconnection(
    *, workspace_ids: set[int] | None
) -> QuerySet[TikTokAccount]:
    accounts = TikTokAccount.objects.filter(status=TikTokAccount.Status.REAUTH_REQUIRED)
    if workspace_ids is not None:
        accounts = accounts.filter(workspace_id__in=workspace_ids)
    return accounts.select_related("workspace").order_by("reauth_required_at")
