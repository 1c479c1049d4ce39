"""Every change of ``PublishJob.status``, and nothing else writes it.

Each move is a compare-and-set ``UPDATE … WHERE status IN (allowed sources)``
whose row count is checked: if the row is in any other state (or, when a lease
is given, another worker has claimed it since) nothing changes and
``InvalidTransitionError`` is raised. Every state has its own timestamp column,
set by the same UPDATE. A test (``test_transitions_only_writer``) parses the
product and fails if any other module writes the status.

State groups (in flight, at TikTok, editable, …) are defined once, on
``PublishJob`` in ``tiktok_integration.models``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Now

from tiktok_integration.gateway.clock import db_now
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

#: The states a new job may start in: on the schedule, or held for a person.
ENTRY_STATES = (Status.SCHEDULED, Status.NEEDS_CONFIRMATION)
#: Paused when the account needs reconnecting: a claimed job too, since no
#: request of it has reached TikTok yet (later steps pause themselves when
#: their token is refused).
PAUSED_ON_REAUTH = (*PublishJob.WAITING, Status.CLAIMED)
#: Paused when staff disconnect the account.
PAUSED_ON_DISCONNECT = PublishJob.WAITING


#: Written with every new planned time staff (or a TikTok-side failure) give a
#: job: a cap deferral belongs to the time it deferred.
CLEAR_DEFERRAL: dict[str, Any] = {"deferred_until": None, "deferred_reason": ""}


class InvalidTransitionError(Exception):
    """The job was not in a state it may move to ``to`` from, or the lease
    fencing the write was no longer held; nothing was written."""

    def __init__(self, publish_job_id: int, *, to: str) -> None:
        super().__init__(
            f"Publish job {publish_job_id} cannot move to {str(to)!r} from its "
            "current state (or its lease was taken by another worker)."
        )
        self.publish_job_id = publish_job_id
        self.to = to


def _values(to: str, fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"status": to, "updated_at": Now(), **fields}
    if "scheduled_at" in fields:
        for name, cleared in CLEAR_DEFERRAL.items():
            values.setdefault(name, cleared)
    timestamp_field = STATE_TIMESTAMP.get(to)
    if timestamp_field:
        values.setdefault(timestamp_field, Now())
    return values


def publish_job_transition(
    *,
    publish_job_id: int,
    to: str,
    lease_version: int | None = None,
    owner: str | None = None,
    require: Q | None = None,
    **fields: Any,
) -> None:
    """Move one job to ``to`` if it is in an allowed source state.

    ``lease_version`` (and ``owner``, the lease holder's id) fence the write to
    the worker that holds the lease; ``require`` adds a condition of its own.
    ``fields`` are written by the same UPDATE (expressions such as ``F()`` and
    ``Now()`` allowed); ``to``'s timestamp is set to the database's now unless
    ``fields`` gives it. Raises ``InvalidTransitionError`` when the row did not
    match (then nothing was written).
    """
    fence: dict[str, Any] = {}
    if lease_version is not None:
        fence["lease_version"] = lease_version
    if owner is not None:
        fence["lease_owner"] = owner
    _move_one(publish_job_id, to, fence=fence, require=require, fields=fields)


def _move_one(
    publish_job_id: int,
    to: str,
    *,
    fence: dict[str, Any],
    require: Q | None,
    fields: dict[str, Any],
) -> None:
    jobs = PublishJob.objects.filter(
        pk=publish_job_id, status__in=ALLOWED_SOURCES[to], **fence
    )
    if require is not None:
        jobs = jobs.filter(require)
    if jobs.update(**_values(to, fields)) != 1:
        raise InvalidTransitionError(publish_job_id, to=to)


def publish_job_claim(
    *, publish_job_id: int, lease_owner: str, lease_expires_at: datetime
) -> None:
    """SCHEDULED → CLAIMED for a dispatcher: a new lease version (the fencing
    token the worker's message carries), one more attempt, the lease given to
    ``lease_owner`` until ``lease_expires_at``.

    Raises ``InvalidTransitionError`` if the job is no longer scheduled, and
    ``IntegrityError`` if its account already has a job in flight.
    """
    _move_one(
        publish_job_id,
        Status.CLAIMED,
        fence={},
        require=None,
        fields={
            "lease_owner": lease_owner,
            "lease_expires_at": lease_expires_at,
            "lease_version": F("lease_version") + 1,
            "attempt_count": F("attempt_count") + 1,
            "next_action_at": None,
        },
    )


def publish_job_unclaim(*, publish_job_id: int, lease_version: int, owner: str) -> None:
    """CLAIMED → SCHEDULED before anything was sent: the claimed job's post is
    no longer approved (it went back to review after the dispatcher picked
    it). The lease is given up and the attempt given back, so the dispatcher
    claims it again once the post is approved. Raises
    ``InvalidTransitionError`` if the lease was lost."""
    publish_job_transition(
        publish_job_id=publish_job_id,
        to=Status.SCHEDULED,
        lease_version=lease_version,
        owner=owner,
        require=Q(status=Status.CLAIMED, init_requested_at__isnull=True),
        lease_owner="",
        lease_expires_at=None,
        next_action_at=None,
        attempt_count=F("attempt_count") - 1,
    )


def publish_jobs_transition(*, to: str, where: Q, **fields: Any) -> int:
    """Move every job matching ``where`` (and in an allowed source state) to
    ``to`` in one UPDATE; returns how many moved (0 is not an error).

    For moves that concern an account's jobs as a whole (pause, resume), where
    each job either moves or already is somewhere else.
    """
    return PublishJob.objects.filter(where, status__in=ALLOWED_SOURCES[to]).update(
        **_values(to, fields)
    )


def publish_jobs_pause_for_account(
    *, account_id: int, at: datetime, on_disconnect: bool = False
) -> int:
    """Pause the account's not-yet-sent jobs (``PAUSED_ON_REAUTH``, or
    ``PAUSED_ON_DISCONNECT`` when staff disconnected it) until it is
    reconnected; ``at`` (aware UTC) is their ``paused_at``. Returns how many."""
    states = PAUSED_ON_DISCONNECT if on_disconnect else PAUSED_ON_REAUTH
    return publish_jobs_transition(
        to=Status.PAUSED_REAUTH,
        where=Q(account_id=account_id, status__in=states),
        paused_at=at,
        updated_at=at,
    )


def publish_jobs_resume_for_account(*, account_id: int, at: datetime) -> int:
    """Put the account's paused jobs back on the schedule (their times kept);
    ``at`` (aware UTC) is their ``updated_at``. Returns how many."""
    return publish_jobs_transition(
        to=Status.SCHEDULED,
        where=Q(account_id=account_id, status=Status.PAUSED_REAUTH),
        updated_at=at,
    )


def publish_job_create(*, job: PublishJob, status: str, validate: bool) -> PublishJob:
    """Insert the unsaved ``job`` in its first state, one of ``ENTRY_STATES``,
    with that state's timestamp (the database's now) unless the caller set it.

    ``validate`` runs ``full_clean`` first (raising ``ValidationError``); copies
    of a job are saved as they are. Raises ``ValueError`` for another state or a
    job that is already saved. Returns ``job``, saved.
    """
    if status not in ENTRY_STATES or job.pk is not None:
        raise ValueError(f"A new job cannot start as {status!r}.")
    job.status = status
    timestamp_field = STATE_TIMESTAMP.get(status)
    if timestamp_field and getattr(job, timestamp_field) is None:
        setattr(job, timestamp_field, db_now())
    if validate:
        job.full_clean()
    job.save(force_insert=True)
    return job


def publish_job_save_edit(*, job: PublishJob, current: str) -> None:
    """Save staff's edit of a job that is not claimed yet, validated first
    (``ValidationError``); ``current`` is its status, read under the row lock
    the caller holds (one of ``PublishJob.EDITABLE``).

    Saving a job held for confirmation is the confirmation: it goes back on the
    schedule by a compare-and-set after the edit is written; a job that ends up
    scheduled has its message cleared. Every other field is written as edited.
    Raises ``InvalidTransitionError`` if the confirmation found it elsewhere.
    """
    to = Status.SCHEDULED if current == Status.NEEDS_CONFIRMATION else current
    # Set in memory first so validation sees the state the job will be in.
    job.status = to
    if to == Status.SCHEDULED:
        job.failure_message = ""
    job.full_clean()
    job.save(
        update_fields=[
            field.name
            for field in PublishJob._meta.concrete_fields
            if not field.primary_key and field.name != "status"
        ]
    )
    if to != current:
        publish_job_transition(
            publish_job_id=job.pk,
            to=to,
            require=Q(status=current),
            failure_message="",
        )


def publish_job_move(*, publish_job_id: int, scheduled_at: datetime) -> None:
    """Give a job that is not claimed yet (``PublishJob.EDITABLE``) a new
    planned time (aware UTC, the post's), clearing any cap deferral; its state
    is kept, except that a job a cap held for staff (``publish_job_defer`` with
    ``hold=True``) goes back on the schedule: the new time is staff's answer.

    A compare-and-set like every move here: raises ``InvalidTransitionError``
    when the job has been claimed (or beyond) since it was read, and then
    nothing was written.
    """
    released = (
        PublishJob.objects.filter(pk=publish_job_id, status=Status.NEEDS_CONFIRMATION)
        .exclude(deferred_reason="")
        .update(
            **_values(
                Status.SCHEDULED, {"scheduled_at": scheduled_at, "failure_message": ""}
            )
        )
    )
    if released:
        return
    moved = PublishJob.objects.filter(
        pk=publish_job_id, status__in=PublishJob.EDITABLE
    ).update(scheduled_at=scheduled_at, updated_at=Now(), **CLEAR_DEFERRAL)
    if moved != 1:
        raise InvalidTransitionError(publish_job_id, to="a new time")


def publish_job_defer(
    *,
    publish_job_id: int,
    lease_version: int,
    owner: str,
    reason: str,
    until: datetime,
    hold: bool,
    message: str,
) -> None:
    """A posting cap (``PublishJob.DeferralReason`` ``reason``) refused the
    claimed job now: end the run (fenced by the lease) keeping its planned
    ``scheduled_at``. With ``hold`` False it goes back on the schedule and the
    dispatcher tries at ``until`` (aware UTC, ``deferred_until``); with ``hold``
    True (the workspace's "wait for staff" policy) it waits in Needs
    confirmation with no automatic try until staff give it a new time.
    ``message`` is for staff. The attempt is given back: a cap is not the
    job's fault. Raises ``InvalidTransitionError`` if the lease was lost.
    """
    publish_job_transition(
        publish_job_id=publish_job_id,
        to=Status.NEEDS_CONFIRMATION if hold else Status.SCHEDULED,
        lease_version=lease_version,
        owner=owner,
        lease_owner="",
        lease_expires_at=None,
        init_requested_at=None,
        next_action_at=None,
        attempt_count=F("attempt_count") - 1,
        deferred_until=None if hold else until,
        deferred_reason=reason,
        failure_message=message,
    )


def publish_job_cancel_unstarted(*, publish_job_id: int) -> None:
    """Cancel a job nothing of which has been sent (``PublishJob.EDITABLE``):
    its account was removed from the post. Raises ``InvalidTransitionError``
    when it has been claimed since it was read."""
    publish_job_transition(
        publish_job_id=publish_job_id,
        to=Status.CANCELLED,
        require=Q(status__in=PublishJob.EDITABLE),
        next_action_at=None,
    )


def publish_job_reopen(*, job: PublishJob) -> None:
    """Put a job cancelled before anything reached TikTok (no init asked, no
    publish id) back on the schedule with ``job``'s sending fields, time and
    consent evidence (written by the same compare-and-set). Raises
    ``InvalidTransitionError`` otherwise."""
    fields = {
        name: getattr(job, name)
        for name in (*PublishJob.SENDING_FIELDS, "scheduled_at", "consent_snapshot")
    }
    fields["media_sha256"] = ""
    fields["failure_message"] = ""
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.SCHEDULED,
        require=Q(
            status=Status.CANCELLED,
            init_requested_at__isnull=True,
            publish_id="",
        ),
        **fields,
    )
