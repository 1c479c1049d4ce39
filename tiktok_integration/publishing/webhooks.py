"""The post.publish.* webhook handlers: the same outcomes polling would reach.

Each event is turned into the status TikTok's status/fetch would report and
applied with ``publish_job_apply_status``, so a webhook and a poll that say the
same thing agree, and whichever comes second changes nothing. A webhook never
starts a publish; for a job still uploading it only records the event.
"""

from __future__ import annotations

import logging

from django.db.models.functions import Now

from tiktok_integration.client import (
    INBOX_DELIVERED,
    NO_LONGER_PUBLICLY_AVAILABLE,
    PUBLICLY_AVAILABLE,
    PUBLISH_COMPLETE,
    PUBLISH_FAILED,
    PublishState,
    PublishStatus,
)
from tiktok_integration.models import PublishJob, WebhookEvent
from tiktok_integration.publishing.status import publish_job_apply_status
from tiktok_integration.services.webhooks import register_webhook_handler

logger = logging.getLogger(__name__)
Status = PublishJob.Status
# A job in review may still be settled by what TikTok reports.
FOLLOWED = (*PublishJob.AT_TIKTOK, Status.NEEDS_REVIEW)


def _job_for(event: WebhookEvent) -> PublishJob | None:
    publish_id = event.content.get("publish_id")
    if not isinstance(publish_id, str) or not publish_id:
        return None
    return (
        PublishJob.objects.select_related("account")
        .filter(publish_id=publish_id, account__open_id=event.user_openid)
        .first()
    )


def _apply(event: WebhookEvent, status: PublishStatus) -> str:
    job = _job_for(event)
    if job is None:
        publish_id = event.content.get("publish_id")
        if publish_id and _is_orphan(event.user_openid, publish_id):
            # An orphan must never publish; if TikTok says it did, someone must look.
            logger.error(
                "TikTok reports %s for orphan publish %s", event.event, publish_id
            )
            return f"Event for orphaned publish {publish_id}: check TikTok."
        return "No job has this publish id."
    if job.status not in FOLLOWED:
        # Uploading or being resumed: its worker (or the reclaim) asks TikTok
        # anyway; a webhook must not move a job that holds a live lease.
        PublishJob.objects.filter(pk=job.pk).update(updated_at=Now())
        return f"Job {job.pk} is {job.status}; its worker will ask TikTok."
    note = publish_job_apply_status(job=job, status=status)
    return f"Job {job.pk}: {note}"


def _is_orphan(open_id: str, publish_id: object) -> bool:
    orphan_lists = PublishJob.objects.filter(account__open_id=open_id).values_list(
        "orphan_publish_ids", flat=True
    )
    return any(
        entry.get("publish_id") == publish_id
        for orphans in orphan_lists
        for entry in orphans
        if isinstance(entry, dict)
    )


def _status(
    state: str, *, fail_reason: str | None = None, post_id: str = ""
) -> PublishStatus:
    return PublishStatus(
        status=state,
        fail_reason=fail_reason,
        publicly_available_post_ids=(post_id,) if post_id else (),
        uploaded_bytes=None,
        downloaded_bytes=None,
    )


@register_webhook_handler(PUBLISH_COMPLETE)
def _publish_complete(event: WebhookEvent) -> str:
    return _apply(event, _status(PublishState.PUBLISH_COMPLETE))


@register_webhook_handler(PUBLICLY_AVAILABLE)
def _publicly_available(event: WebhookEvent) -> str:
    post_id = event.content.get("post_id")
    post_id = str(post_id) if isinstance(post_id, str | int) else ""
    return _apply(event, _status(PublishState.PUBLISH_COMPLETE, post_id=post_id))


@register_webhook_handler(INBOX_DELIVERED)
def _inbox_delivered(event: WebhookEvent) -> str:
    return _apply(event, _status(PublishState.SEND_TO_USER_INBOX))


@register_webhook_handler(PUBLISH_FAILED)
def _publish_failed(event: WebhookEvent) -> str:
    reason = event.content.get("reason")
    return _apply(
        event,
        _status(PublishState.FAILED, fail_reason=str(reason) if reason else "internal"),
    )


@register_webhook_handler(NO_LONGER_PUBLICLY_AVAILABLE)
def _no_longer_public(event: WebhookEvent) -> str:
    job = _job_for(event)
    if job is None:
        return "No job has this publish id."
    return (
        f"Job {job.pk}: TikTok says post {event.content.get('post_id')} is no "
        "longer public (made private or removed)."
    )
