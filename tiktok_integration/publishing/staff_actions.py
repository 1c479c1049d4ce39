"""What staff can do to a job from the admin: publish now, cancel, retry,
duplicate, mark published, reconcile with TikTok, and save its settings.

Each action that moves a job is one compare-and-set in ``transitions``; an
action that does not apply to the job now raises ``ActionRefusedError`` with a
sentence for staff, and changes nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now

from cms.models import Post, PostMedia
from tiktok_integration.client import (
    PublishState,
    TikTokClient,
    TikTokError,
    Video,
    VideoPage,
)
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.calls import ParkError, call_api
from tiktok_integration.publishing.status import (
    orphan_entry,
    public_post_url,
    publish_job_apply_status,
    reset_for_new_init,
)
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_create,
    publish_job_save_edit,
    publish_job_transition,
)
from tiktok_integration.services.tokens import ReconnectRequiredError

logger = logging.getLogger(__name__)
Status = PublishJob.Status

VIDEO_FIELDS = ("id", "create_time", "share_url", "title", "video_description")
DISPLAY_PAGES = 5
_VIDEO_ID = re.compile(r"/video/(\d{6,25})")


class ActionRefusedError(Exception):
    """The staff action does not apply to this job now; ``str()`` says why."""


def publish_job_publish_now(*, publish_job_id: int) -> str:
    """Send a scheduled (or held) job at once; the next dispatch tick claims it."""
    try:
        publish_job_transition(
            publish_job_id=publish_job_id,
            to=Status.SCHEDULED,
            require=Q(status__in=PublishJob.WAITING)
            | Q(
                status=Status.PAUSED_REAUTH, account__status=TikTokAccount.Status.ACTIVE
            ),
            scheduled_at=Now(),
            failure_message="",
            next_action_at=None,
        )
    except InvalidTransitionError as error:
        raise ActionRefusedError(
            "Only scheduled or held jobs can be published now (a paused job's "
            "account must be reconnected first)."
        ) from error
    return "Queued: it goes out within seconds."


def publish_job_cancel(*, publish_job_id: int) -> str:
    """Cancel a job TikTok cannot publish yet; refuse once it might."""
    job = PublishJob.objects.get(pk=publish_job_id)
    if (
        job.status == Status.PROCESSING
        and job.source != PublishJob.Source.PULL_FROM_URL
    ):
        raise ActionRefusedError(
            "TikTok already has the whole video and is processing it; it cannot be "
            "stopped from here. Delete the post on TikTok if it is unwanted."
        )
    if job.status == Status.PROCESSING:
        _cancel_pull_at_tiktok(job)
    try:
        publish_job_transition(
            publish_job_id=publish_job_id,
            to=Status.CANCELLED,
            # Before the final chunk TikTok has nothing it could publish.
            require=Q(final_chunk_sent_at__isnull=True) | Q(status=Status.PROCESSING),
            lease_owner="",
            lease_expires_at=None,
            next_action_at=None,
        )
    except InvalidTransitionError as error:
        raise ActionRefusedError(
            f"A job that is '{job.get_status_display()}' cannot be cancelled now: "
            "it is being sent to TikTok or already there."
        ) from error
    return "Cancelled; nothing will be sent."


def _cancel_pull_at_tiktok(job: PublishJob) -> None:
    try:
        call_api(
            account_id=job.account_id,
            job_id=job.pk,
            lease_version=job.lease_version,
            endpoint=Endpoint.CANCEL,
            request=lambda client, token: client.cancel(
                access_token=token, publish_id=job.publish_id
            ),
        )
    except (TikTokError, ParkError, ReconnectRequiredError) as error:
        message = getattr(error, "staff_message", None) or str(error)
        raise ActionRefusedError(f"TikTok did not cancel it: {message}") from error


def publish_job_retry(*, publish_job_id: int) -> str:
    """Try a failed or reviewed job again, safely.

    A job with a publish_id keeps it and is resumed (TikTok is asked first); a
    failed publish's id is retired, since TikTok said it will not publish. An
    init whose answer was lost is looked for on TikTok first.
    """
    job = PublishJob.objects.select_related("account").get(pk=publish_job_id)
    if job.status not in PublishJob.RETRYABLE:
        raise ActionRefusedError("Only failed jobs or jobs needing review are retried.")
    fields: dict[str, Any] = {}
    if job.status == Status.FAILED and job.publish_id:
        fields = reset_for_new_init(job, "retried by staff after a failure", db_now())
    elif job.status == Status.NEEDS_REVIEW and not job.publish_id:
        found = _find_on_tiktok(job)
        if found is not None:
            return _mark_found(job, found)
        if job.init_requested_at is not None:
            fields = {
                "init_requested_at": None,
                "orphan_publish_ids": [
                    *job.orphan_publish_ids,
                    orphan_entry(None, "staff retried; not found on TikTok", db_now()),
                ],
            }
    try:
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.SCHEDULED,
            require=Q(status=job.status),
            scheduled_at=Now(),
            attempt_count=0,
            transient_failure_count=0,
            lease_owner="",
            lease_expires_at=None,
            next_action_at=None,
            failure_message="",
            **fields,
        )
    except InvalidTransitionError as error:
        raise ActionRefusedError(
            "The job changed meanwhile; reload and retry."
        ) from error
    return "Retrying now."


def publish_job_duplicate(*, publish_job_id: int, user_id: int | None) -> PublishJob:
    """A copy of the post and of this job's settings, held for confirmation."""
    job = PublishJob.objects.select_related("post").get(pk=publish_job_id)
    with transaction.atomic():
        post = Post.objects.create(
            workspace_id=job.post.workspace_id,
            title=f"{job.post.title} (copy)"[:200],
            caption=job.post.caption,
            scheduled_date=job.post.scheduled_date,
            scheduled_time=job.post.scheduled_time,
            scheduled_fold=job.post.scheduled_fold,
            scheduled_at=job.post.scheduled_at,
            time_zone=job.post.time_zone,
            created_by_id=user_id,
        )
        PostMedia.objects.bulk_create(
            PostMedia(post=post, asset_id=link.asset_id, position=link.position)
            for link in job.post.post_media.all()
        )
        copy_fields = [*PublishJob.SENDING_FIELDS, "max_attempts"]
        return publish_job_create(
            job=PublishJob(
                post=post,
                account_id=job.account_id,
                scheduled_at=job.scheduled_at,
                failure_message=(
                    f"Copy of job {job.pk}: check the time and settings, then use "
                    "'Publish now' or save it with a new time."
                ),
                **{name: getattr(job, name) for name in copy_fields},
            ),
            status=Status.NEEDS_CONFIRMATION,
            validate=False,
        )


def video_id_from_url(url: str) -> str:
    match = _VIDEO_ID.search(url)
    if match is None:
        raise ActionRefusedError(
            "That is not a TikTok video URL (…tiktok.com/@user/video/<id>)."
        )
    return match[1]


def publish_job_mark_published(*, publish_job_id: int, url: str) -> str:
    """Staff found the post on TikTok: record it as published with its URL."""
    post_id = video_id_from_url(url)
    try:
        publish_job_transition(
            publish_job_id=publish_job_id,
            to=Status.PUBLISHED,
            tiktok_post_ids=[post_id],
            public_url=url[:500],
            next_action_at=None,
            lease_owner="",
            lease_expires_at=None,
            failure_message="Marked published by staff.",
        )
    except InvalidTransitionError as error:
        raise ActionRefusedError(
            "Only jobs needing review, failed, or still processing can be marked "
            "published."
        ) from error
    return "Marked published."


def publish_job_reconcile(*, publish_job_id: int) -> str:
    """Find out from TikTok what became of a job; returns a sentence for staff."""
    job = PublishJob.objects.select_related("account").get(pk=publish_job_id)
    try:
        if job.publish_id:
            status = call_api(
                account_id=job.account_id,
                job_id=job.pk,
                lease_version=None,
                endpoint=Endpoint.STATUS_FETCH,
                request=lambda client, token: client.fetch_status(
                    access_token=token, publish_id=job.publish_id
                ),
            )
            if job.status == Status.NEEDS_REVIEW and status.status in (
                PublishState.PUBLISH_COMPLETE,
                PublishState.FAILED,
            ):
                # Let the status path move it; NEEDS_REVIEW → PUBLISHED/FAILED.
                return publish_job_apply_status(job=job, status=status)
            return (
                f"TikTok says: {status.status} ({status.fail_reason or 'no failure'})."
            )
        found = _find_on_tiktok(job)
    except (TikTokError, ParkError, ReconnectRequiredError) as error:
        message = getattr(error, "staff_message", None) or str(error)
        return f"Could not ask TikTok: {message}"
    if found is None:
        return (
            "No matching post on the account's public profile. If the post was "
            "private or TikTok is still moderating it, it will not show here; "
            "otherwise 'Retry' is safe."
        )
    return _mark_found(job, found)


def _find_on_tiktok(job: PublishJob) -> Video | None:
    """The account's public video with this job's caption, posted after the init."""
    since = (job.init_requested_at or job.scheduled_at) - timedelta(minutes=5)
    caption = job.post.caption.strip()
    cursor: int | None = None
    for _ in range(DISPLAY_PAGES):
        page = call_api(
            account_id=job.account_id,
            job_id=job.pk,
            lease_version=None,
            endpoint=Endpoint.VIDEO_LIST,
            request=partial(_video_page, cursor=cursor),
        )
        for video in page.videos:
            text = (video.title or video.video_description or "").strip()
            recent = video.create_time is None or video.create_time >= since.timestamp()
            if recent and caption and text == caption:
                return video
        if not page.has_more:
            return None
        cursor = page.cursor
    return None


def _video_page(client: TikTokClient, token: str, *, cursor: int | None) -> VideoPage:
    return client.video_list(access_token=token, fields=VIDEO_FIELDS, cursor=cursor)


def _mark_found(job: PublishJob, video: Video) -> str:
    url = video.share_url or public_post_url(job.account.username, video.id)
    try:
        publish_job_transition(
            publish_job_id=job.pk,
            to=Status.PUBLISHED,
            tiktok_post_ids=list(dict.fromkeys([*job.tiktok_post_ids, video.id])),
            public_url=url[:500],
            next_action_at=None,
            lease_owner="",
            lease_expires_at=None,
            failure_message="Found on TikTok by reconcile.",
        )
    except InvalidTransitionError:
        return f"Found post {video.id} on TikTok, but the job changed meanwhile."
    return f"Found it on TikTok (post {video.id}); marked published."


def publish_job_save(*, job: PublishJob) -> PublishJob:
    """Save staff's settings for a job that has not been claimed yet.

    A new job goes on the schedule. Saving a job held for confirmation (with
    settings that pass the composer rules, which the form checked) is the
    confirmation: it goes back on the schedule. A job already claimed is never
    edited (``ActionRefusedError``): a copy is the way. Raises
    ``ValidationError`` for settings the model refuses.
    """
    if job.pk is None:
        return publish_job_create(job=job, status=Status.SCHEDULED, validate=True)
    with transaction.atomic():
        current = PublishJob.objects.select_for_update().get(pk=job.pk)
        if current.status not in PublishJob.EDITABLE:
            raise ActionRefusedError(
                f"This job is '{current.get_status_display()}': it can no longer be "
                "changed. Use 'Duplicate' to send it again with other settings."
            )
        publish_job_save_edit(job=job, current=current.status)
    return job
