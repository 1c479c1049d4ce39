"""The dashboard's TikTok panels: today and tomorrow per account, what needs
attention (with the one-click action each state allows), accounts to
reconnect and the week's capacity. The admin site's index calls
``dashboard_context``; the template is templates/admin/index.html."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from tiktok_integration.dashboard import (
    dashboard_account_days,
    dashboard_accounts,
    dashboard_week_capacity,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.staff_actions import (
    ActionRefusedError,
    publish_job_cancel,
    publish_job_publish_now,
    publish_job_retry,
)
from tiktok_integration.selectors import (
    publish_job_list_needing_attention,
    publish_job_list_scheduled_between,
    tiktok_account_list_needing_reconnection,
)

DASHBOARD_LIST_LIMIT = 15


@dataclass(frozen=True)
class JobAction:
    """A button on a job that needs attention: ``action`` is one of
    ``JOB_ACTIONS`` (posted to the job's "act" URL), ``label`` its words."""

    action: str
    label: str


#: What each state that needs a person offers, in the order shown.
ACTIONS_BY_STATUS: dict[str, tuple[JobAction, ...]] = {
    PublishJob.Status.FAILED: (
        JobAction("retry", "Retry safely"),
        JobAction("cancel", "Cancel"),
    ),
    PublishJob.Status.NEEDS_REVIEW: (
        JobAction("retry", "Retry safely"),
        JobAction("cancel", "Cancel"),
    ),
    PublishJob.Status.NEEDS_CONFIRMATION: (
        JobAction("publish_now", "Publish now"),
        JobAction("cancel", "Cancel"),
    ),
    PublishJob.Status.PAUSED_REAUTH: (JobAction("cancel", "Cancel"),),
}
JOB_ACTIONS = ("retry", "cancel", "publish_now")


def dashboard_context(
    request: HttpRequest,
    *,
    workspace_ids: set[int] | None,
    now: datetime,
    zone: tzinfo,
) -> dict[str, Any]:
    """The dashboard's TikTok panels for ``request.user``'s workspaces, days
    as clocks in ``zone`` show them. A fixed number of queries."""
    accounts = dashboard_accounts(workspace_ids=workspace_ids)
    upcoming = publish_job_list_scheduled_between(
        workspace_ids=workspace_ids,
        start=now,
        end=now + timedelta(days=7),
    )
    attention = publish_job_list_needing_attention(workspace_ids=workspace_ids)
    attention_jobs = list(attention[:DASHBOARD_LIST_LIMIT])
    for job in attention_jobs:
        job.dashboard_actions = ACTIONS_BY_STATUS.get(job.status, ())  # type: ignore[attr-defined]
    reconnect = tiktok_account_list_needing_reconnection(workspace_ids=workspace_ids)
    return {
        "dashboard_zone": str(zone),
        "account_days": dashboard_account_days(accounts=accounts, now=now, zone=zone),
        "account_weeks": dashboard_week_capacity(accounts=accounts, now=now, zone=zone),
        "upcoming_jobs": list(upcoming[:DASHBOARD_LIST_LIMIT]),
        "upcoming_count": upcoming.count(),
        "attention_jobs": attention_jobs,
        "attention_count": attention.count(),
        "reconnect_accounts": list(reconnect[:DASHBOARD_LIST_LIMIT]),
        "can_act_on_jobs": request.user.has_perm(
            "tiktok_integration.publish_publishjob"
        ),
    }


def job_act(request: HttpRequest, *, job: PublishJob, action: str) -> None:
    """Do ``action`` (one of ``JOB_ACTIONS``) on ``job`` for the dashboard's
    one-click buttons and say how it went as an admin message.

    Raises ValueError for an action not in ``JOB_ACTIONS``.
    """
    if action not in JOB_ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    do = {
        "retry": publish_job_retry,
        "cancel": publish_job_cancel,
        "publish_now": publish_job_publish_now,
    }[action]
    try:
        note = do(publish_job_id=job.pk)
    except ActionRefusedError as error:
        messages.warning(request, f"{job}: {error}")
    else:
        messages.success(request, f"{job}: {note}")
