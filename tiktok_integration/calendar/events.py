"""A post as a FullCalendar event (the calendar's feed, ``feed``).

A month can hold thousands of posts, so the rows are plain tuples and what
posts with alike jobs share (their state, why they are locked, the accounts
shown, their CSS classes) is worked out once per feed (``PostLooks``) and
the same objects are put in every such event: the JSON is the same, and far
fewer objects are built per request (each one the garbage collector must
walk later: on a 5,000-post month its full collections were a third of the
request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from django.core.files.storage import Storage

from cms.models import Post
from tiktok_integration.calendar.deferrals import deferral_props
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.selectors import (
    POST_STATE_LABELS,
    CapDeferral,
    job_is_started,
    post_state_for,
)

_STATUS_LABELS = dict(PublishJob.Status.choices)
_CANCELLED = PublishJob.Status.CANCELLED
_Editorial = Post.EditorialState
# The review states a post can wait in (issue 18); a post with no approval
# policy, or approved and scheduled, shows its publishing state alone.
REVIEW_LABELS = {
    state.value: state.label
    for state in (
        _Editorial.IN_REVIEW,
        _Editorial.CHANGES_REQUESTED,
        _Editorial.APPROVED,
    )
}
PASSED = "Its time has passed."


class JobRow(NamedTuple):
    """The fields of a ``PublishJob`` the calendar reads, named as on the
    model so ``post_state_for`` and ``job_is_started`` read them alike (rows,
    not model instances: 5,000 posts' jobs are built in a few milliseconds).
    Hashable, so posts whose jobs look alike share what is derived from them.
    """

    status: str
    # Only whether they are set matters (``job_is_started``): read as flags,
    # which spares a datetime conversion per job on a 5,000-post month.
    init_requested_at: bool
    publish_id: bool
    account_id: int


class PostRow(NamedTuple):
    """A post as the calendar reads it: ``scheduled_at`` aware UTC, ``jobs``
    its copies in id order, ``thumbnail`` its first media's thumbnail name in
    storage ("" for none), ``review`` its review state (a key of
    ``REVIEW_LABELS``, or "")."""

    pk: int
    title: str
    scheduled_at: datetime
    jobs: tuple[JobRow, ...]
    thumbnail: str
    review: str


@dataclass(frozen=True, slots=True)
class FeedAccounts:
    """The workspace's accounts by id: (username, avatar URL)."""

    by_id: dict[int, tuple[str, str]]

    @classmethod
    def of(cls, workspace_id: int) -> FeedAccounts:
        """One query."""
        rows = TikTokAccount.objects.filter(workspace_id=workspace_id).values_list(
            "pk", "username", "avatar_url"
        )
        return cls({pk: (username, avatar) for pk, username, avatar in rows})


class _Look(NamedTuple):
    state: str
    started_reason: str
    accounts: tuple[dict[str, str], ...]


class PostLooks:
    """What posts with the same jobs (``JobRow`` tuples) share within one
    feed: their state (``post_state_for``), why a started copy locks them,
    the accounts shown, and their CSS classes. The objects returned are
    shared between events, so they are tuples (arrays in JSON): nothing may
    change them."""

    def __init__(self, accounts: FeedAccounts) -> None:
        self._accounts = accounts.by_id
        self._looks: dict[tuple[JobRow, ...], _Look] = {}
        self._classes: dict[tuple[str, str], tuple[str, ...]] = {}

    def of(self, jobs: tuple[JobRow, ...]) -> _Look:
        """The state, the started copy's reason ("" for none) and the
        accounts (``{"username", "avatar"}``) of a post with ``jobs``."""
        look = self._looks.get(jobs)
        if look is None:
            look = self._looks[jobs] = self._look(jobs)
        return look

    def _look(self, jobs: tuple[JobRow, ...]) -> _Look:
        state = post_state_for(cast("list[PublishJob]", jobs))
        started = next((job for job in jobs if job_is_started(cast(Any, job))), None)
        reason = ""
        if started is not None:
            username = self._accounts.get(started.account_id, ("?", ""))[0]
            label = _STATUS_LABELS.get(started.status, started.status)
            reason = f"Its copy for @{username} is already '{label}'."
        shown = [
            self._accounts.get(job.account_id, ("?", ""))
            for job in jobs
            if job.status != _CANCELLED
        ]
        return _Look(
            state,
            reason,
            tuple({"username": name, "avatar": avatar} for name, avatar in shown),
        )

    def class_names(self, state: str, review: str) -> tuple[str, ...]:
        """``pd-state-<state>``, then ``pd-review-<review>`` when waiting."""
        key = (state, review)
        names = self._classes.get(key)
        if names is None:
            names = self._classes[key] = (f"pd-state-{state}",) + (
                (f"pd-review-{review}",) if review else ()
            )
        return names


def post_event(
    row: PostRow,
    wall: datetime,
    *,
    looks: PostLooks,
    accounts: FeedAccounts,
    storage: Storage,
    now: datetime,
    deferrals: Sequence[CapDeferral] = (),
    time_zone: str = "UTC",
) -> dict[str, Any]:
    """A post as a FullCalendar event, ``wall`` its time as naive wall time
    in ``time_zone`` (``looks``: shared over one feed; ``deferrals``: its
    copies' cap deferrals, shown in ``time_zone``).

    Shape: ``id`` (post id as text), ``title``, ``start`` (wall time, ISO
    without offset), ``classNames`` (``pd-state-<state>``, then
    ``pd-review-<review>`` when waiting; a tuple, an array in JSON) and
    ``extendedProps``: ``kind`` "post", ``state``, ``stateLabel``, ``time``
    "HH:MM", ``thumbnail`` (URL or ""), ``accounts`` ({``username``,
    ``avatar``}, a tuple), ``movable`` and ``lockedReason`` (why not; a locked post may
    still be dragged and snaps back with the server's reason; a deferred post
    stays movable though its planned time has passed: moving it is how staff
    pick a new time), ``review`` and ``reviewLabel`` (the review state it
    waits in, ``REVIEW_LABELS``, or ""). A deferred post adds ``deferred``,
    ``nextAttemptAt``, ``deferHeld``, ``deferReason`` and ``deferMessage``
    (``deferrals.deferral_props``).
    """
    state, reason, shown = looks.of(row.jobs)
    if not reason and row.scheduled_at <= now and not deferrals:
        reason = PASSED
    start = wall.isoformat(timespec="seconds")
    props = {
        "kind": "post",
        "state": state,
        "stateLabel": POST_STATE_LABELS[state],
        "time": start[11:16],
        "thumbnail": storage.url(row.thumbnail) if row.thumbnail else "",
        "accounts": shown,
        "movable": not reason,
        "lockedReason": reason,
        "review": row.review,
        "reviewLabel": REVIEW_LABELS.get(row.review, ""),
    }
    if deferrals:
        props.update(
            deferral_props(deferrals, time_zone=time_zone, accounts=accounts.by_id)
        )
    return {
        "id": str(row.pk),
        "title": row.title,
        "start": start,
        "classNames": looks.class_names(state, row.review),
        "extendedProps": props,
    }
