"""The calendar's JSON feed: the posts of a visible range as FullCalendar
events, plus day markers (TikTok's caps exceeded).

Times are wall times in the zone the calendar shows (the workspace's, or the
viewer's), sent without an offset; the page runs FullCalendar in its "UTC"
mode, which shows such times as they are, so a post at 23:30 local sits on its
local day and 10:00 stays 10:00 across a clock change.

A constant number of queries whatever the number of posts: the workspace's
accounts, the cap deferrals, the posts' copies, their first media, the posts,
the capacity of the range and the queues' free slots (``slots``); rows are
read as values, not model instances, so 5,000 posts stay fast. Deferred posts
also show at their next try (``deferrals``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.core.files.storage import Storage
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    FileField,
    OuterRef,
    Q,
    QuerySet,
)

from cms.models import Post, PostMedia
from cms.scheduling import utc_to_local
from media_library.models import MediaAsset
from tiktok_integration.calendar.capacity import account_day_capacity
from tiktok_integration.calendar.deferrals import (
    deferral_props,
    deferrals_by_post,
    next_try_events,
)
from tiktok_integration.calendar.slots import slot_events
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.selectors import (
    POST_STATE_LABELS,
    CapDeferral,
    job_is_started,
    post_state_for,
)

# Offsets stay within a day of UTC: a range widened by a day holds every post
# whose wall time falls in it; the exact cut is made on the wall time.
_MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """What the calendar asks for.

    ``start``/``end``: naive wall times in ``time_zone`` bounding the visible
    range [start, end). ``visible_workspace_ids``: what the user may see (None:
    all, a superuser). ``workspace_id``: the workspace shown. ``account_id``:
    only posts with a copy for that account. ``states``: only posts in these
    states (keys of ``POST_STATE_LABELS``; empty: all).
    """

    start: datetime
    end: datetime
    time_zone: str
    workspace_id: int
    visible_workspace_ids: Collection[int] | None
    account_id: int | None = None
    states: frozenset[str] = field(default_factory=frozenset)

    @property
    def utc_window(self) -> tuple[datetime, datetime]:
        return (
            (self.start - _MARGIN).replace(tzinfo=UTC),
            (self.end + _MARGIN).replace(tzinfo=UTC),
        )

    @property
    def allowed(self) -> bool:
        return (
            self.visible_workspace_ids is None
            or self.workspace_id in self.visible_workspace_ids
        )


def calendar_feed(*, query: FeedQuery, now: datetime) -> list[dict[str, Any]]:
    """The events of the range: one per post and one per next try of a
    deferred post (``calendar_post_events``), the day markers and the free
    queue slots (``calendar_background_events``). Nothing for a workspace
    the user may not see."""
    if not query.allowed:
        return []
    return [
        *calendar_post_events(query=query, now=now),
        *calendar_background_events(query=query, now=now),
    ]


def _posts(query: FeedQuery, also: Collection[int] = ()) -> QuerySet[Post]:
    """The workspace's posts planned in the range, and the posts ``also``
    (deferred ones whose next try alone falls in it)."""
    start, end = query.utc_window
    posts = Post.objects.filter(workspace_id=query.workspace_id).filter(
        Q(scheduled_at__gte=start, scheduled_at__lt=end) | Q(pk__in=list(also))
    )
    if query.account_id is not None:
        posts = posts.filter(
            Exists(
                PublishJob.objects.filter(
                    post=OuterRef("pk"), account_id=query.account_id
                )
            )
        )
    return posts


@dataclass(frozen=True, slots=True)
class _JobRow:
    """The fields of a ``PublishJob`` the calendar reads, named as on the
    model so ``post_state_for`` and ``job_is_started`` read them alike (rows,
    not model instances: 5,000 posts' jobs are built in a few milliseconds)."""

    status: str
    mode: str
    # Only whether it is set matters (``job_is_started``): read as a flag,
    # which spares a datetime conversion per job on a 5,000-post month.
    init_requested_at: bool
    publish_id: str
    account_id: int


@dataclass(frozen=True, slots=True)
class _PostRow:
    pk: int
    title: str
    scheduled_at: datetime
    jobs: list[_JobRow]
    thumbnail: str
    review: str = ""


def _rows(posts: QuerySet[Post]) -> Iterator[_PostRow]:
    """``posts`` (by time) with their jobs and first media's thumbnail name,
    in three queries whatever their number."""
    jobs: dict[int, list[_JobRow]] = defaultdict(list)
    for post_id, status, mode, init_at, publish_id, account_id in (
        PublishJob.objects.filter(post__in=posts.values("pk"))
        .order_by("pk")
        .annotate(
            init_asked=ExpressionWrapper(
                Q(init_requested_at__isnull=False), output_field=BooleanField()
            )
        )
        .values_list(
            "post_id", "status", "mode", "init_asked", "publish_id", "account_id"
        )
    ):
        jobs[post_id].append(_JobRow(status, mode, init_at, publish_id, account_id))
    thumbnails = dict(
        PostMedia.objects.filter(post__in=posts.values("pk"), position=0)
        .exclude(asset__thumbnail="")
        .values_list("post_id", "asset__thumbnail")
    )
    for pk, title, scheduled_at, editorial in posts.order_by(
        "scheduled_at", "pk"
    ).values_list("pk", "title", "scheduled_at", "editorial_state"):
        if scheduled_at is not None:
            review = editorial if editorial in REVIEW_LABELS else ""
            yield _PostRow(
                pk, title, scheduled_at, jobs[pk], thumbnails.get(pk, ""), review
            )


@dataclass(frozen=True, slots=True)
class _Accounts:
    """The workspace's accounts by id: (username, avatar URL)."""

    by_id: dict[int, tuple[str, str]]

    @classmethod
    def of(cls, workspace_id: int) -> _Accounts:
        rows = TikTokAccount.objects.filter(workspace_id=workspace_id).values_list(
            "pk", "username", "avatar_url"
        )
        return cls({pk: (username, avatar) for pk, username, avatar in rows})


def calendar_post_events(*, query: FeedQuery, now: datetime) -> list[dict[str, Any]]:
    """One FullCalendar event per post whose wall time in ``query.time_zone``
    falls in the range, and one per next try of a cap-deferred post that
    falls in it (``deferrals.next_try_events``), filtered by account and
    state (see ``post_event``). Five queries, whatever the number of posts."""
    accounts = _Accounts.of(query.workspace_id)
    start, end = query.utc_window
    deferrals = deferrals_by_post(
        workspace_id=query.workspace_id,
        account_id=query.account_id,
        start=start,
        end=end,
    )
    storage = _thumbnail_storage()
    states: dict[tuple[str, ...], str] = {}
    events = []
    for row in _rows(_posts(query, deferrals.keys())):
        wall = utc_to_local(row.scheduled_at, query.time_zone).replace(tzinfo=None)
        deferred = deferrals.get(row.pk, [])
        event = post_event(
            row,
            wall,
            accounts=accounts,
            storage=storage,
            now=now,
            states=states,
            deferrals=deferred,
            time_zone=query.time_zone,
        )
        if query.states and event["extendedProps"]["state"] not in query.states:
            continue
        if query.start <= wall < query.end:
            events.append(event)
        events.extend(
            next_try_events(
                event,
                deferred,
                time_zone=query.time_zone,
                start=query.start,
                end=query.end,
                accounts=accounts.by_id,
            )
        )
    return sorted(events, key=lambda event: event["start"])


def calendar_post_event(
    *, post_id: int, workspace_id: int, time_zone: str, now: datetime
) -> dict[str, Any] | None:
    """The event of one post as the feed shows it in ``time_zone`` (None when
    it has no time or is not in the workspace), with its cap deferrals."""
    posts = Post.objects.filter(
        pk=post_id, workspace_id=workspace_id, scheduled_at__isnull=False
    )
    for row in _rows(posts):
        wall = utc_to_local(row.scheduled_at, time_zone).replace(tzinfo=None)
        margin = timedelta(days=365)
        deferrals = deferrals_by_post(
            workspace_id=workspace_id,
            account_id=None,
            start=row.scheduled_at - margin,
            end=row.scheduled_at + margin,
        )
        return post_event(
            row,
            wall,
            accounts=_Accounts.of(workspace_id),
            storage=_thumbnail_storage(),
            now=now,
            deferrals=deferrals.get(row.pk, []),
            time_zone=time_zone,
        )
    return None


def _thumbnail_storage() -> Storage:
    field = MediaAsset._meta.get_field("thumbnail")
    assert isinstance(field, FileField)  # noqa: S101  (a model definition fact)
    return field.storage


_STATUS_LABELS = dict(PublishJob.Status.choices)
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


def post_event(
    row: _PostRow,
    wall: datetime,
    *,
    accounts: _Accounts,
    storage: Storage,
    now: datetime,
    states: dict[tuple[str, ...], str] | None = None,
    deferrals: Sequence[CapDeferral] = (),
    time_zone: str = "UTC",
) -> dict[str, Any]:
    """A post as a FullCalendar event (``states``: a cache of post states by
    the jobs' statuses, shared over one feed; ``deferrals``: its copies' cap
    deferrals, shown in ``time_zone``).

    Shape: ``id`` (post id as text), ``title``, ``start`` (wall time, ISO
    without offset), ``classNames`` (``pd-state-<state>``) and
    ``extendedProps``: ``kind`` "post", ``state``, ``stateLabel``, ``time``
    "HH:MM", ``thumbnail`` (URL or ""), ``accounts`` [{``username``,
    ``avatar``}], ``movable`` and ``lockedReason`` (why not; a locked post may
    still be dragged and snaps back with the server's reason; a deferred post
    stays movable though its planned time has passed: moving it is how staff
    pick a new time), ``review`` and ``reviewLabel`` (the review state it
    waits in, ``REVIEW_LABELS``, or ""). A deferred post adds ``deferred``,
    ``nextAttemptAt``, ``deferHeld``, ``deferReason`` and ``deferMessage``
    (``deferrals.deferral_props``).
    """
    statuses = tuple(job.status for job in row.jobs)
    cache = {} if states is None else states
    state = cache.get(statuses)
    if state is None:
        state = cache[statuses] = post_state_for(cast("list[PublishJob]", row.jobs))
    started = next((job for job in row.jobs if job_is_started(cast(Any, job))), None)
    if started is not None:
        username = accounts.by_id.get(started.account_id, ("?", ""))[0]
        reason = (
            f"Its copy for @{username} is already "
            f"'{_STATUS_LABELS.get(started.status, started.status)}'."
        )
    elif row.scheduled_at <= now and not deferrals:
        reason = "Its time has passed."
    else:
        reason = ""
    shown = [
        accounts.by_id.get(job.account_id, ("?", ""))
        for job in row.jobs
        if job.status != PublishJob.Status.CANCELLED
    ]
    return {
        "id": str(row.pk),
        "title": row.title,
        "start": wall.isoformat(timespec="seconds"),
        "classNames": [f"pd-state-{state}"]
        + ([f"pd-review-{row.review}"] if row.review else []),
        "extendedProps": {
            "kind": "post",
            "state": state,
            "stateLabel": POST_STATE_LABELS[state],
            "time": f"{wall.hour:02d}:{wall.minute:02d}",
            "thumbnail": storage.url(row.thumbnail) if row.thumbnail else "",
            "accounts": [
                {"username": username, "avatar": avatar} for username, avatar in shown
            ],
            "movable": not reason,
            "lockedReason": reason,
            "review": row.review,
            "reviewLabel": REVIEW_LABELS.get(row.review, ""),
            **deferral_props(deferrals, time_zone=time_zone, accounts=accounts.by_id),
        },
    }


def calendar_background_events(
    *, query: FeedQuery, now: datetime
) -> list[dict[str, Any]]:
    """Markers behind or between the posts, ``extendedProps.kind`` naming
    each: each account's local day over TikTok's daily post cap or the
    pending-inbox limit (``kind`` "capacity", all day, ``display``
    "background", docs/tiktok.md §6), then the queues' free slots still
    ahead of ``now`` (``kind`` "slot", timed, ``slots.slot_events``).
    """
    start, end = query.utc_window
    days = account_day_capacity(
        account_ids=None if query.account_id is None else [query.account_id],
        workspace_ids=[query.workspace_id],
        start=start,
        end=end,
        time_zone=query.time_zone,
    )
    first, last = query.start.date(), query.end.date()
    events = []
    for (account_id, day), capacity in sorted(days.items(), key=lambda kv: kv[0][1]):
        if not capacity.is_over or not first <= day < last:
            continue
        events.append(
            {
                "id": f"capacity-{account_id}-{day.isoformat()}",
                "start": day.isoformat(),
                "allDay": True,
                "display": "background",
                "title": f"Over cap: @{capacity.username}",
                "classNames": ["pd-over-cap"],
                "extendedProps": {
                    "kind": "capacity",
                    "accountId": account_id,
                    "messages": capacity.messages(),
                },
            }
        )
    events.extend(
        slot_events(
            workspace_id=query.workspace_id,
            account_id=query.account_id,
            time_zone=query.time_zone,
            start=query.start,
            end=query.end,
            utc_start=start,
            utc_end=end,
            now=now,
        )
    )
    return events
