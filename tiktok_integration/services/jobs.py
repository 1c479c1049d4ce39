"""Publish job state transitions: each one a compare-and-set UPDATE on the row.

A transition names the states it may start from; if the row is in any other state
(or, when a lease version is given, another worker has claimed it since) nothing
changes and ``InvalidTransitionError`` is raised. Every state has its own
timestamp column, set by the same UPDATE.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.functions import Now

from tiktok_integration.models import PublishJob

Status = PublishJob.Status

ALLOWED_SOURCES: dict[str, frozenset[str]] = {
    Status.SCHEDULED: frozenset(
        {
            Status.SCHEDULED,
            Status.PAUSED_REAUTH,
            Status.NEEDS_CONFIRMATION,
            Status.NEEDS_REVIEW,
            Status.FAILED,
            Status.CANCELLED,
            # Rescheduled by a posting cap before anything reached TikTok, or
            # after TikTok reported a failure worth one more try.
            Status.CLAIMED,
            Status.INIT_PENDING,
            Status.PROCESSING,
        }
    ),
    Status.CLAIMED: frozenset({Status.SCHEDULED}),
    # INIT_PENDING from UPLOADING: TikTok said the upload expired or failed before
    # the final chunk, so a new init is allowed (the old id becomes an orphan).
    Status.INIT_PENDING: frozenset(
        {Status.CLAIMED, Status.INIT_PENDING, Status.UPLOADING}
    ),
    # From CLAIMED: a job that already has a publish_id is resumed, never re-inited.
    Status.UPLOADING: frozenset(
        {Status.CLAIMED, Status.INIT_PENDING, Status.UPLOADING}
    ),
    Status.PROCESSING: frozenset(
        {Status.CLAIMED, Status.INIT_PENDING, Status.UPLOADING}
    ),
    Status.SENT_TO_INBOX: frozenset({Status.UPLOADING, Status.PROCESSING}),
    Status.PUBLISHED: frozenset(
        {
            Status.UPLOADING,
            Status.PROCESSING,
            Status.SENT_TO_INBOX,
            Status.NEEDS_REVIEW,
            # Staff found the post on TikTok ("mark published with URL").
            Status.FAILED,
        }
    ),
    Status.FAILED: frozenset(
        {
            Status.CLAIMED,
            Status.INIT_PENDING,
            Status.UPLOADING,
            Status.PROCESSING,
            Status.SENT_TO_INBOX,
            Status.NEEDS_REVIEW,
        }
    ),
    Status.CANCELLED: frozenset(
        {
            Status.SCHEDULED,
            Status.PROCESSING,
            Status.NEEDS_REVIEW,
            Status.NEEDS_CONFIRMATION,
            Status.PAUSED_REAUTH,
            Status.FAILED,
            # Safe only before the final chunk: the cancel service requires
            # final_chunk_sent_at to be empty.
            Status.CLAIMED,
            Status.UPLOADING,
        }
    ),
    Status.NEEDS_REVIEW: frozenset(
        {
            Status.CLAIMED,
            Status.INIT_PENDING,
            Status.UPLOADING,
            Status.PROCESSING,
            Status.SENT_TO_INBOX,
        }
    ),
    Status.NEEDS_CONFIRMATION: frozenset(
        {Status.SCHEDULED, Status.CLAIMED, Status.INIT_PENDING}
    ),
    Status.PAUSED_REAUTH: frozenset(
        {
            Status.SCHEDULED,
            Status.CLAIMED,
            Status.NEEDS_CONFIRMATION,
            Status.INIT_PENDING,
            Status.UPLOADING,
        }
    ),
}

STATE_TIMESTAMP: dict[str, str] = {
    Status.CLAIMED: "claimed_at",
    Status.UPLOADING: "uploading_at",
    Status.PROCESSING: "processing_at",
    Status.SENT_TO_INBOX: "sent_to_inbox_at",
    Status.PUBLISHED: "published_at",
    Status.FAILED: "failed_at",
    Status.CANCELLED: "cancelled_at",
    Status.NEEDS_REVIEW: "needs_review_at",
    Status.NEEDS_CONFIRMATION: "needs_confirmation_at",
    Status.PAUSED_REAUTH: "paused_at",
    Status.INIT_PENDING: "init_requested_at",
}


class InvalidTransitionError(Exception):
    def __init__(self, publish_job_id: int, *, to: str) -> None:
        super().__init__(
            f"Publish job {publish_job_id} cannot move to {to!r} from its current "
            "state (or its lease was taken by another worker)."
        )
        self.publish_job_id = publish_job_id
        self.to = to


def publish_job_transition(
    *,
    publish_job_id: int,
    to: str,
    lease_version: int | None = None,
    owner: str | None = None,
    require: Q | None = None,
    **fields: Any,
) -> None:
    """Move a job to ``to`` if it is in an allowed source state.

    ``lease_version`` (and ``owner``, the lease holder's id) fence the write to
    the worker that holds the lease; ``require`` adds a condition of its own.
    Raises ``InvalidTransitionError`` when the row did not match.
    """
    filters: dict[str, Any] = {
        "pk": publish_job_id,
        "status__in": ALLOWED_SOURCES[to],
    }
    if lease_version is not None:
        filters["lease_version"] = lease_version
    if owner is not None:
        filters["lease_owner"] = owner
    values: dict[str, Any] = {"status": to, "updated_at": Now(), **fields}
    timestamp_field = STATE_TIMESTAMP.get(to)
    if timestamp_field:
        values.setdefault(timestamp_field, Now())
    jobs = PublishJob.objects.filter(**filters)
    if require is not None:
        jobs = jobs.filter(require)
    if jobs.update(**values) != 1:
        raise InvalidTransitionError(publish_job_id, to=to)
