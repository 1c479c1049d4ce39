"""How a publish moves after init (docs/tiktok.md §4.8, §4.10).

Direct: PROCESSING_UPLOAD / PROCESSING_DOWNLOAD → PUBLISH_COMPLETE after the
processing delay; a public post then gets its post id after the moderation
delay. Inbox: → SEND_TO_USER_INBOX, and PUBLISH_COMPLETE only when the creator
posts the draft. A processing fault → FAILED with its fail_reason.

Time moves lazily (every status fetch and list call advances what it reads)
and in the periodic ``tiktok_sandbox.advance`` task, which also sends
webhooks. Transitions happen under a row lock, so two processes noticing the
same due publish make one transition and one webhook.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import requests
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tiktok_sandbox import rules
from tiktok_sandbox.errors import SandboxApiError
from tiktok_sandbox.models import (
    Endpoint,
    SandboxCall,
    SandboxCreator,
    SandboxFault,
    SandboxPublish,
    SandboxVideo,
    SandboxWebhookDelivery,
    new_numeric_id,
)
from tiktok_sandbox.services import webhooks
from tiktok_sandbox.services.defaults import sandbox_settings_get
from tiktok_sandbox.services.faults import sandbox_fault_take
from tiktok_sandbox.services.tokens import sandbox_creator_revoke_all
from tiktok_sandbox.services.uploads import sandbox_uploads_clean_expired

logger = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT: Final = timedelta(hours=1)
JOURNAL_RETENTION: Final = timedelta(days=7)
PULL_HTTP_TIMEOUT: Final = (5.0, 30.0)
BLOCK_BYTES: Final = 1024 * 1024
PUBLIC: Final = rules.PUBLIC_TO_EVERYONE


@dataclass(frozen=True, slots=True)
class AdvanceReport:
    processed: int
    made_public: int
    uploads_cleaned: int
    webhooks_delivered: int


def sandbox_advance(
    *, now: datetime | None = None, deliver_webhooks: bool = True
) -> AdvanceReport:
    """Advance every due publish and moderation, clean expired partial uploads,
    then send due webhooks. Safe to run from several processes at once."""
    now = now or timezone.now()
    due = SandboxPublish.objects.filter(
        status__in=SandboxPublish.PROCESSING, processing_due_at__lte=now
    ).values_list("pk", flat=True)
    processed = sum(_finish_processing(publish_pk=pk, now=now) for pk in list(due))
    made_public = _moderate(SandboxVideo.objects.all(), now=now)
    cleaned = sandbox_uploads_clean_expired(now=now)
    delivered = webhooks.sandbox_webhooks_deliver(now=now) if deliver_webhooks else 0
    _prune(now=now)
    return AdvanceReport(processed, made_public, cleaned, delivered)


def _prune(*, now: datetime) -> None:
    # Rate limits look back one minute and caps use publishes, so an old journal
    # serves nobody; a demo left running should not grow without end.
    cutoff = now - JOURNAL_RETENTION
    SandboxCall.objects.filter(created_at__lt=cutoff).delete()
    SandboxWebhookDelivery.objects.filter(
        Q(delivered_at__lt=cutoff) | Q(abandoned_at__lt=cutoff)
    ).delete()


def sandbox_publish_advance(
    *, publish: SandboxPublish, now: datetime | None = None
) -> SandboxPublish:
    """Advance one publish and its posts to ``now``; returns it fresh."""
    now = now or timezone.now()
    if publish.status in SandboxPublish.PROCESSING and (
        publish.processing_due_at is not None and publish.processing_due_at <= now
    ):
        _finish_processing(publish_pk=publish.pk, now=now)
    _moderate(SandboxVideo.objects.filter(publish=publish), now=now)
    publish.refresh_from_db()
    return publish


def sandbox_creator_advance(
    *, creator: SandboxCreator, now: datetime | None = None
) -> None:
    """Advance everything of one creator (before listing their videos)."""
    now = now or timezone.now()
    due = SandboxPublish.objects.filter(
        creator=creator,
        status__in=SandboxPublish.PROCESSING,
        processing_due_at__lte=now,
    ).values_list("pk", flat=True)
    for pk in list(due):
        _finish_processing(publish_pk=pk, now=now)
    _moderate(SandboxVideo.objects.filter(creator=creator), now=now)


# --- status/fetch and cancel ----------------------------------------------------


def sandbox_publish_owned(
    *, creator: SandboxCreator, publish_id: object
) -> SandboxPublish:
    """The publish named by a request body, if this token's creator owns it.

    Raises SandboxApiError 400 invalid_publish_id or
    token_not_authorized_for_specified_publish_id.
    """
    if not isinstance(publish_id, str) or not publish_id:
        raise SandboxApiError(400, "invalid_publish_id", "publish_id is required.")
    publish = (
        SandboxPublish.objects.select_related("creator")
        .filter(publish_id=publish_id)
        .first()
    )
    if publish is None:
        raise SandboxApiError(
            400, "invalid_publish_id", "The publish_id does not exist."
        )
    if publish.creator_id != creator.pk:
        raise SandboxApiError(
            400,
            "token_not_authorized_for_specified_publish_id",
            "The access token's user does not own this publish_id.",
        )
    return publish


def sandbox_publish_status(
    *, publish: SandboxPublish, now: datetime | None = None
) -> dict[str, Any]:
    """status/fetch's data, after advancing the publish to ``now``."""
    publish = sandbox_publish_advance(publish=publish, now=now)
    data: dict[str, Any] = {"status": publish.status}
    if publish.status == SandboxPublish.Status.FAILED:
        data["fail_reason"] = publish.fail_reason
    # TikTok's spelling, and int64 values (docs/tiktok.md §4.8).
    data["publicaly_available_post_id"] = [
        int(video_id) for video_id in _public_post_ids(publish)
    ]
    if publish.source == SandboxPublish.Source.FILE_UPLOAD:
        data["uploaded_bytes"] = publish.bytes_received
    else:
        data["downloaded_bytes"] = publish.downloaded_bytes
    return data


def _public_post_ids(publish: SandboxPublish) -> Sequence[str]:
    return list(
        publish.videos.filter(publicly_available_at__isnull=False)
        .order_by("posted_at", "pk")
        .values_list("video_id", flat=True)
    )


def sandbox_publish_cancel(
    *, publish: SandboxPublish, now: datetime | None = None
) -> None:
    """Cancel a PULL_FROM_URL publish whose download has not started.

    Raises SandboxApiError 400 publish_not_cancellable otherwise.
    """
    now = now or timezone.now()
    publish = sandbox_publish_advance(publish=publish, now=now)
    with transaction.atomic():
        cancelled = SandboxPublish.objects.filter(
            pk=publish.pk,
            source=SandboxPublish.Source.PULL_FROM_URL,
            status=SandboxPublish.Status.PROCESSING_DOWNLOAD,
            download_started_at__isnull=True,
        ).update(
            status=SandboxPublish.Status.FAILED,
            fail_reason="publish_cancelled",
            failed_at=now,
        )
        if cancelled != 1:
            raise SandboxApiError(
                400,
                "publish_not_cancellable",
                "Only a PULL_FROM_URL download that has not started can be cancelled.",
            )
        _enqueue_failed(publish=publish, reason="publish_cancelled", now=now)


# --- the creator's side ---------------------------------------------------------


def sandbox_creator_post_draft(
    *,
    publish: SandboxPublish,
    privacy_level: str | None = None,
    title: str = "",
    now: datetime | None = None,
) -> SandboxVideo:
    """The creator opens the inbox notification and posts the draft.

    ``privacy_level`` defaults to the creator's most public option. May happen
    more than once per publish (each makes a post). Raises ValueError when the
    publish is not an inbox draft that has reached the inbox.
    """
    now = now or timezone.now()
    publish = sandbox_publish_advance(publish=publish, now=now)
    with transaction.atomic():
        locked = (
            SandboxPublish.objects.select_for_update(of=("self",))
            .select_related("creator")
            .get(pk=publish.pk)
        )
        if locked.flow != SandboxPublish.Flow.INBOX or locked.status not in (
            SandboxPublish.Status.SEND_TO_USER_INBOX,
            SandboxPublish.Status.PUBLISH_COMPLETE,
        ):
            raise ValueError(f"{locked.publish_id} is not a draft in the inbox.")
        app = sandbox_settings_get()
        options = rules.privacy_level_options(
            is_private_account=locked.creator.is_private_account,
            is_audited=app.is_audited,
            override=locked.creator.privacy_level_options or [],
        )
        chosen = privacy_level or options[0]
        if chosen not in options:
            raise ValueError(f"{chosen} is not one of the creator's options.")
        locked.status = SandboxPublish.Status.PUBLISH_COMPLETE
        locked.completed_at = locked.completed_at or now
        locked.save(update_fields=["status", "completed_at"])
        video = _create_video(
            publish=locked,
            privacy_level=chosen,
            title=title,
            at=now,
            moderation_delay=app.moderation_delay_seconds,
        )
        webhooks.sandbox_webhook_enqueue(
            event=webhooks.PUBLISH_COMPLETE,
            creator=locked.creator,
            publish=locked,
            content=_content(locked),
            dedupe_key=f"complete:{locked.publish_id}:{video.video_id}",
            now=now,
        )
    return video


# --- transitions ----------------------------------------------------------------


def _finish_processing(*, publish_pk: int, now: datetime) -> int:
    """Run one due publish out of processing. Returns 1 if it moved."""
    publish = SandboxPublish.objects.select_related("creator").get(pk=publish_pk)
    if publish.status not in SandboxPublish.PROCESSING:
        return 0
    if publish.source == SandboxPublish.Source.PULL_FROM_URL and not _pulled(
        publish=publish, now=now
    ):
        return 0
    with transaction.atomic():
        locked = (
            SandboxPublish.objects.select_for_update(of=("self",))
            .select_related("creator")
            .get(pk=publish_pk)
        )
        if locked.status not in SandboxPublish.PROCESSING:
            return 0
        at = locked.processing_due_at or now
        if locked.fail_reason:
            _fail(publish=locked, reason=locked.fail_reason, now=now)
            return 1
        fault = sandbox_fault_take(endpoint=Endpoint.PROCESSING, creator=locked.creator)
        if fault is not None and fault.action == SandboxFault.Action.FAIL_PROCESSING:
            _fail(publish=locked, reason=fault.fail_reason, now=now)
            return 1
        if locked.flow == SandboxPublish.Flow.DIRECT:
            locked.status = SandboxPublish.Status.PUBLISH_COMPLETE
            locked.completed_at = at
            locked.save(update_fields=["status", "completed_at"])
            _create_video(
                publish=locked,
                privacy_level=locked.privacy_level,
                title=str(locked.post_info.get("title", "")),
                at=at,
                moderation_delay=sandbox_settings_get().moderation_delay_seconds,
            )
            event, key = webhooks.PUBLISH_COMPLETE, f"complete:{locked.publish_id}"
        else:
            locked.status = SandboxPublish.Status.SEND_TO_USER_INBOX
            locked.inbox_delivered_at = at
            locked.save(update_fields=["status", "inbox_delivered_at"])
            event, key = webhooks.INBOX_DELIVERED, f"inbox:{locked.publish_id}"
        webhooks.sandbox_webhook_enqueue(
            event=event,
            creator=locked.creator,
            publish=locked,
            content=_content(locked),
            dedupe_key=key,
            now=now,
        )
    return 1


def _pulled(*, publish: SandboxPublish, now: datetime) -> bool:
    """Download PULL_FROM_URL media once; False while another process is at it.

    A failed download records its fail_reason for the transition to apply.
    """
    claimed = SandboxPublish.objects.filter(
        pk=publish.pk, download_started_at__isnull=True
    ).update(download_started_at=now)
    if claimed != 1:
        publish.refresh_from_db()
        started = publish.download_started_at
        if publish.media_received_at is not None or publish.fail_reason:
            return True
        if started is not None and now - started >= DOWNLOAD_TIMEOUT:
            # TikTok gives a download one hour (docs/tiktok.md §4.7).
            publish.fail_reason = _pull_fail_reason(publish)
            SandboxPublish.objects.filter(pk=publish.pk).update(
                fail_reason=publish.fail_reason
            )
            return True
        return False
    urls = _source_urls(publish)
    if not sandbox_settings_get().fetches_pulled_media:
        SandboxPublish.objects.filter(pk=publish.pk).update(media_received_at=now)
        return True
    outcome = _download(urls)
    if outcome is None:
        SandboxPublish.objects.filter(pk=publish.pk).update(
            fail_reason=_pull_fail_reason(publish)
        )
        return True
    size, sha256 = outcome
    SandboxPublish.objects.filter(pk=publish.pk).update(
        downloaded_bytes=size,
        received_size=size,
        received_sha256=sha256,
        media_received_at=now,
    )
    return True


def _source_urls(publish: SandboxPublish) -> list[str]:
    if publish.media_type == SandboxPublish.MediaType.PHOTO:
        return [str(url) for url in publish.source_info.get("photo_images", [])]
    return [str(publish.source_info.get("video_url", ""))]


def _pull_fail_reason(publish: SandboxPublish) -> str:
    if publish.media_type == SandboxPublish.MediaType.PHOTO:
        return "photo_pull_failed"
    return "video_pull_failed"


def _download(urls: Sequence[str]) -> tuple[int, str] | None:
    """Stream every URL into one SHA-256; None if any answer is not a 200.

    Redirects are not followed: TikTok treats any 3xx as a failed pull.
    """
    digest = hashlib.sha256()
    size = 0
    for url in urls:
        try:
            with requests.get(
                url, stream=True, timeout=PULL_HTTP_TIMEOUT, allow_redirects=False
            ) as response:
                if response.status_code != 200:
                    return None
                for block in response.iter_content(BLOCK_BYTES):
                    digest.update(block)
                    size += len(block)
        except requests.RequestException as exc:
            logger.info("Sandbox pull failed: %s", type(exc).__name__)
            return None
    return size, digest.hexdigest()


def _fail(*, publish: SandboxPublish, reason: str, now: datetime) -> None:
    publish.status = SandboxPublish.Status.FAILED
    publish.fail_reason = reason
    publish.failed_at = now
    publish.save(update_fields=["status", "fail_reason", "failed_at"])
    _enqueue_failed(publish=publish, reason=reason, now=now)


def _enqueue_failed(*, publish: SandboxPublish, reason: str, now: datetime) -> None:
    webhooks.sandbox_webhook_enqueue(
        event=webhooks.PUBLISH_FAILED,
        creator=publish.creator,
        publish=publish,
        # The webhook names it "reason", status/fetch "fail_reason".
        content={**_content(publish), "reason": reason},
        dedupe_key=f"failed:{publish.publish_id}",
        now=now,
    )


def _content(publish: SandboxPublish) -> dict[str, Any]:
    return {"publish_id": publish.publish_id, "publish_type": publish.publish_type}


def _create_video(
    *,
    publish: SandboxPublish,
    privacy_level: str,
    title: str,
    at: datetime,
    moderation_delay: int,
) -> SandboxVideo:
    is_photo = publish.media_type == SandboxPublish.MediaType.PHOTO
    return SandboxVideo.objects.create(
        video_id=new_numeric_id(),
        creator=publish.creator,
        publish=publish,
        title=title[: rules.VIDEO_TITLE_MAX],
        video_description=str(publish.post_info.get("description", ""))[
            : rules.PHOTO_DESCRIPTION_MAX
        ],
        privacy_level=privacy_level,
        duration=0 if is_photo else 15,
        posted_at=at,
        # Only public posts pass moderation and get a post id.
        moderation_due_at=at + timedelta(seconds=moderation_delay)
        if privacy_level == PUBLIC
        else None,
    )


def _moderate(videos: QuerySet[SandboxVideo], *, now: datetime) -> int:
    due = videos.filter(
        publicly_available_at__isnull=True, moderation_due_at__lte=now
    ).select_related("publish", "creator")
    made_public = 0
    for video in list(due):
        with transaction.atomic():
            updated = SandboxVideo.objects.filter(
                pk=video.pk, publicly_available_at__isnull=True
            ).update(publicly_available_at=video.moderation_due_at)
            if updated != 1:
                continue
            made_public += 1
            if video.publish is not None:
                webhooks.sandbox_webhook_enqueue(
                    event=webhooks.PUBLICLY_AVAILABLE,
                    creator=video.creator,
                    publish=video.publish,
                    content={**_content(video.publish), "post_id": video.video_id},
                    dedupe_key=f"public:{video.video_id}",
                    now=now,
                )
    return made_public


def sandbox_creator_remove_authorization(
    *, creator: SandboxCreator, reason: int = 1, now: datetime | None = None
) -> int:
    """The app loses access to ``creator`` (1: the user disconnected it in the
    app, 5: the developer revoked it, …): every token dies, publishes still
    processing fail with auth_removed, and ``authorization.removed`` is sent.
    Returns how many tokens were revoked."""
    now = now or timezone.now()
    with transaction.atomic():
        revoked = sandbox_creator_revoke_all(creator=creator, now=now)
        in_flight = SandboxPublish.objects.select_for_update().filter(
            creator=creator, status__in=SandboxPublish.PROCESSING
        )
        for publish in in_flight:
            _fail(publish=publish, reason="auth_removed", now=now)
        webhooks.sandbox_webhook_enqueue(
            event=webhooks.AUTHORIZATION_REMOVED,
            creator=creator,
            content={"reason": reason},
            dedupe_key=f"auth_removed:{creator.open_id}:{now.timestamp()}",
            now=now,
        )
    return revoked
