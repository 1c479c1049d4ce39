"""UPLOADING: send the missing chunks in order (§4.6, docs/reliability.md §4).

Progress is committed after each chunk and ``final_chunk_sent_at`` before the
last one → PROCESSING; all chunks of a run go through one kept-alive session.
A run that did not get the upload URL itself resumes by asking TikTok how many
bytes it has (§4.8); an upload TikTok no longer accepts
is started over with a new init (``init.reinit``) only while TikTok cannot
have the whole video.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models.functions import Now

from tiktok_integration.client import (
    RETRYABLE_FAIL_REASONS,
    ChunkPlan,
    ChunkUploadResult,
    FileRangeReader,
    PublishState,
    PublishStatus,
    TikTokAmbiguousError,
    TikTokRangeMismatchError,
    TikTokRejectedError,
    TikTokTransientError,
)
from tiktok_integration.client.api import UPLOAD_CONTENT_TYPES
from tiktok_integration.client.facts import Endpoint
from tiktok_integration.gateway.clients import upload_session
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing import faultpoints
from tiktok_integration.publishing.calls import call_api, put_chunk
from tiktok_integration.publishing.init import reinit
from tiktok_integration.publishing.leases import publish_job_renew
from tiktok_integration.publishing.media import job_media
from tiktok_integration.publishing.run_state import NeedsPersonError, Run, end_step
from tiktok_integration.publishing.status import publish_job_apply_status

Status = PublishJob.Status

CHUNK_TRIES = 3
MAX_RANGE_MISMATCHES = 3
# What a video is sent as when its own type is not one TikTok lists (§4.6).
DEFAULT_CONTENT_TYPE = "video/mp4"


def upload(run: Run, job: PublishJob) -> None:
    """Send ``job``'s missing chunks, committing progress after each; returns
    when the job moved on (PROCESSING, a new init) or TikTok must be asked
    where it stands (then the next step resumes from TikTok's status).

    Raises ``NeedsPersonError`` (attempts used up, or TikTok no longer knows a
    complete upload) and ``call_api``/``put_chunk``'s errors.
    """
    media = job_media(job)
    asset = media.video
    if job.chunk_size is None or job.total_chunks is None or job.upload_url is None:
        reinit(run, job, "the stored upload details are incomplete")
        return
    plan = ChunkPlan(asset.size_bytes, job.chunk_size, job.total_chunks)
    if run.fresh_upload:
        index: int | None = job.next_chunk
    else:
        index = _resume_from_status(run, job, plan)
        run.fresh_upload = True
    if index is None:
        return
    upload_url = job.upload_url.reveal()
    content_type = (
        asset.mime_type
        if asset.mime_type in UPLOAD_CONTENT_TYPES
        else DEFAULT_CONTENT_TYPE
    )
    mismatches = 0
    with asset.file.open("rb") as handle, upload_session() as session:
        while index < plan.total_chunk_count:
            first, last = plan.chunk_range(index)
            is_final = index == plan.total_chunk_count - 1
            marker = {"final_chunk_sent_at": Now()} if is_final else {}
            # The commit point's intent goes to the database before the bytes,
            # and the fence is checked right before them: a worker that stalled
            # after the last chunk's commit sends nothing once its lease is gone.
            publish_job_renew(lease=run.lease, status=Status.UPLOADING, **marker)
            body = FileRangeReader(handle, first, last - first + 1)
            try:
                result = _put_with_retries(
                    run,
                    job,
                    ChunkTarget(upload_url, session, content_type),
                    body,
                    first,
                    last,
                    plan,
                    is_final,
                )
            except TikTokRangeMismatchError as error:
                mismatches += 1
                if error.uploaded_bytes is None or mismatches > MAX_RANGE_MISMATCHES:
                    run.fresh_upload = False
                    return
                uploaded = min(error.uploaded_bytes, plan.video_size)
                index = plan.chunk_index_for(uploaded)
                if index >= plan.total_chunk_count:
                    _to_processing(run, job, plan)
                    return
                publish_job_renew(
                    lease=run.lease,
                    status=Status.UPLOADING,
                    next_chunk=index,
                    bytes_confirmed=uploaded,
                )
                continue
            except TikTokAmbiguousError:
                # The final chunk's answer was lost: TikTok's status decides.
                run.fresh_upload = False
                return
            except TikTokRejectedError:
                # 403/404/400 on the upload: TikTok's status decides between
                # "it has everything" and a new init.
                run.url_refused = True
                run.fresh_upload = False
                return
            faultpoints.faultpoint(f"after_chunk_sent:{index + 1}")
            if result.is_complete:
                faultpoints.faultpoint("after_final_chunk")
                _to_processing(run, job, plan)
                return
            if is_final:
                run.fresh_upload = False
                return
            publish_job_renew(
                lease=run.lease,
                status=Status.UPLOADING,
                next_chunk=index + 1,
                bytes_confirmed=result.uploaded_bytes or last + 1,
                transient_failure_count=0,
            )
            faultpoints.faultpoint(f"after_chunk_commit:{index + 1}")
            index += 1
    # Every chunk was accepted with 206 and none said "complete": ask TikTok.
    run.fresh_upload = False


def _to_processing(run: Run, job: PublishJob, plan: ChunkPlan) -> None:
    end_step(
        run,
        job,
        Status.PROCESSING,
        next_chunk=plan.total_chunk_count,
        bytes_confirmed=plan.video_size,
        transient_failure_count=0,
        next_action_at=db_now() + timedelta(seconds=settings.TIKTOK_POLL_FIRST_SECONDS),
    )


def _fetch_status(run: Run, job: PublishJob) -> PublishStatus:
    return call_api(
        account_id=job.account_id,
        job_id=job.pk,
        lease_version=run.lease.version,
        endpoint=Endpoint.STATUS_FETCH,
        request=lambda client, token: client.fetch_status(
            access_token=token, publish_id=job.publish_id
        ),
    )


def _resume_from_status(run: Run, job: PublishJob, plan: ChunkPlan) -> int | None:
    """Ask TikTok where the upload stands. Returns the chunk to send next, or
    None when the job has moved on (processing, re-init, failed)."""
    try:
        status = _fetch_status(run, job)
    except TikTokRejectedError as error:
        # TikTok does not know the publish (any more).
        if job.final_chunk_sent_at is None:
            reinit(run, job, f"TikTok no longer knows the upload ({error.code})")
            return None
        raise NeedsPersonError(
            Status.NEEDS_REVIEW,
            f"The whole video was sent but TikTok no longer answers for it "
            f"({error.code}). Use 'Reconcile' to look for the post.",
        ) from error
    if status.status == PublishState.PROCESSING_UPLOAD:
        uploaded = min(status.uploaded_bytes or 0, plan.video_size)
        if uploaded >= plan.video_size:
            _to_processing(run, job, plan)
            return None
        if run.url_refused:
            reinit(run, job, "TikTok refused the upload URL (expired)")
            return None
        index = plan.chunk_index_for(uploaded)
        publish_job_renew(
            lease=run.lease,
            status=Status.UPLOADING,
            next_chunk=index,
            bytes_confirmed=uploaded,
            last_tiktok_status=status.status,
        )
        return index
    if status.status == PublishState.FAILED:
        reason = status.fail_reason or ""
        if job.final_chunk_sent_at is None or reason in RETRYABLE_FAIL_REASONS:
            reinit(run, job, f"TikTok failed the upload ({reason or 'no reason'})")
        else:
            publish_job_apply_status(job=job, status=status, lease=run.lease)
        return None
    # TikTok has everything (processing, in the inbox, or published already).
    _to_processing(run, job, plan)
    return None


@dataclass(frozen=True, slots=True)
class ChunkTarget:
    """Where one upload's chunks go: TikTok's upload URL, the kept-alive
    session for all of them, and the Content-Type they are sent as (§4.6)."""

    upload_url: str = field(repr=False)
    session: requests.Session
    content_type: str


def _put_with_retries(
    run: Run,
    job: PublishJob,
    target: ChunkTarget,
    body: FileRangeReader,
    first: int,
    last: int,
    plan: ChunkPlan,
    is_final: bool,
) -> ChunkUploadResult:
    # TikTok: "5xx: retry the same chunk". A few quick tries here; then the job
    # parks with its progress kept and resumes through a status fetch.
    for attempt in range(1, CHUNK_TRIES + 1):
        try:
            return put_chunk(
                account_id=job.account_id,
                job_id=job.pk,
                lease_version=run.lease.version,
                upload_url=target.upload_url,
                body=body,
                first=first,
                last=last,
                total=plan.video_size,
                content_type=target.content_type,
                is_final=is_final,
                session=target.session,
            )
        except TikTokTransientError:
            if attempt == CHUNK_TRIES:
                raise
            time.sleep(random.uniform(0, 0.5 * 2**attempt))  # noqa: S311
            publish_job_renew(lease=run.lease, status=Status.UPLOADING)
    raise AssertionError("unreachable")  # pragma: no cover
