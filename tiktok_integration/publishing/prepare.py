"""CLAIMED: check the post against what TikTok allows now, then commit the init
intent (docs/reliability.md §4).

The account must have granted the scope the job's mode needs (§2: video.upload
for a draft, video.publish for a direct post). For a direct post creator info
is read again (§4.2) and the post checked against it with the composer's
rules; posting caps are anticipated (``caps``); then ``init_requested_at``
is committed → INIT_PENDING. A job that already has a ``publish_id`` is only
ever resumed, never initialised again.
"""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Now

from cms.review.selectors import post_may_be_released
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.composer import (
    DIRECT,
    DRAFT_RULES,
    CreatorRules,
    check_post,
    missing_scope,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.calls import call_api
from tiktok_integration.publishing.caps import anticipate_caps
from tiktok_integration.publishing.media import (
    JobMedia,
    is_photo,
    job_media,
    post_choices,
    video_pull_url,
)
from tiktok_integration.publishing.run_state import NeedsPersonError, Run, end_step
from tiktok_integration.publishing.transitions import (
    publish_job_transition,
    publish_job_unclaim,
)
from tiktok_integration.services.accounts import creator_info_snapshot

Status = PublishJob.Status
FILE_UPLOAD = PublishJob.Source.FILE_UPLOAD
PULL_FROM_URL = PublishJob.Source.PULL_FROM_URL


def prepare(run: Run, job: PublishJob) -> None:
    """Take a CLAIMED ``job`` to INIT_PENDING (or, when it already has a
    ``publish_id``, to UPLOADING or PROCESSING to be resumed; or back to
    SCHEDULED when its post is no longer approved for publishing).

    Raises ``NeedsPersonError`` (media changed, or the settings break a rule
    TikTok's creator info sets), ``CapReachedError``, and whatever the creator
    info call raises (``call_api``'s errors).
    """
    lease = run.lease
    if job.publish_id:
        # Already at TikTok: only ever resumed, never initialised again.
        if job.source == FILE_UPLOAD and not is_photo(job_media(job)):
            publish_job_transition(
                publish_job_id=job.pk,
                to=Status.UPLOADING,
                lease_version=lease.version,
                owner=lease.owner,
            )
        else:
            end_step(run, job, Status.PROCESSING, next_action_at=Now())
        return
    if not post_may_be_released(job.post):
        # Sent back to review in the seconds between the dispatcher's claim
        # and this run (the claim checked it, the classic post form does not
        # wait for the worker): nothing has reached TikTok, so hand it back.
        publish_job_unclaim(
            publish_job_id=job.pk, lease_version=lease.version, owner=lease.owner
        )
        return
    media = job_media(job)
    if job.media_sha256 and job.media_sha256 != media.fingerprint:
        raise NeedsPersonError(
            Status.NEEDS_CONFIRMATION,
            "The post's media changed after this job was set up; check the job "
            "and confirm it with 'Publish now'.",
        )
    missing = missing_scope(
        job.mode,
        TikTokAccount.objects.values_list("granted_scopes", flat=True).get(
            pk=job.account_id
        ),
    )
    if missing:
        raise NeedsPersonError(Status.NEEDS_CONFIRMATION, f"Not sent: {missing}")
    # Creator info is a Direct Post endpoint (video.publish, §4.2): a draft
    # needs only video.upload and is not checked against it.
    rules = (
        CreatorRules.from_snapshot(_creator_info(run, job))
        if job.mode == DIRECT
        else DRAFT_RULES
    )
    problems = check_post(post_choices(job, media), rules)
    if problems:
        raise NeedsPersonError(
            Status.NEEDS_CONFIRMATION,
            "Not sent, because what TikTok allows changed or the settings break "
            "a rule: " + " ".join(problem.message for problem in problems),
        )
    anticipate_caps(job, db_now())
    source = _source_for(job, media)
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.INIT_PENDING,
        lease_version=lease.version,
        owner=lease.owner,
        media_sha256=media.fingerprint,
        source=source,
        transient_failure_count=0,
        failure_message="",
    )
    run.fresh_intent = True


def _source_for(job: PublishJob, media: JobMedia) -> str:
    # Photos can only be pulled (§4.5); a video is pulled when it has a
    # verified URL (§8 rule 7: the media is on our servers), else uploaded.
    if is_photo(media) or video_pull_url(job, media) is not None:
        return PULL_FROM_URL
    return FILE_UPLOAD


def _creator_info(run: Run, job: PublishJob) -> dict[str, Any]:
    info = call_api(
        account_id=job.account_id,
        job_id=job.pk,
        lease_version=run.lease.version,
        endpoint=Endpoint.CREATOR_INFO,
        request=lambda client, token: client.creator_info(access_token=token),
    )
    snapshot = creator_info_snapshot(info)
    TikTokAccount.objects.filter(pk=job.account_id).update(
        creator_info=snapshot, creator_info_fetched_at=Now()
    )
    return snapshot
