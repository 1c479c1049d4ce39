"""The calendar's JSON feed: the posts of a visible range as FullCalendar
events, plus day markers (TikTok's caps exceeded).

Times are wall times in the zone the calendar shows (the workspace's, or the
viewer's), sent without an offset; the page runs FullCalendar in its "UTC"
mode, which shows such times as they are, so a post at 23:30 local sits on its
local day and 10:00 stays 10:00 across a clock change.

Four queries whatever the number of posts: the posts, their copies (with the
accounts), their first media, and the capacity of the range.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cms.models import Post, PostMedia
from cms.scheduling import utc_to_local
from tiktok_integration.calendar.capacity import account_day_capacity
from tiktok_integration.models import PublishJob
from tiktok_integration.selectors import (
    POST_STATE_LABELS,
    job_is_started,
    post_state_for,
)

# Offsets stay within a day of UTC: a range widened by a day holds every post
# whose wall time falls in it; the exact cut is made on the wall time.
_MARGIN = timedelta(days=1)
WALL_ISO = "%Y-%m-%dT%H:%M:%S"


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
    """The events of the range: one per post (``calendar_post_events``) and
    the day markers (``calendar_background_events``). Nothing for a
    workspace the user may not see."""
    if not query.allowed:
        return []
    return [
        *calendar_post_events(query=query, now=now),
        *calendar_background_events(query=query),
    ]


def _posts(query: FeedQuery) -> QuerySet[Post]:
    start, end = query.utc_window
    posts = Post.objects.filter(
        workspace_id=query.workspace_id,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
    )
    if query.account_id is not None:
        posts = posts.filter(
            Exists(
                PublishJob.objects.filter(
                    post=OuterRef("pk"), account_id=query.account_id
                )
            )
        )
    return (
        posts.select_related("workspace")
        .only("pk", "title", "scheduled_at", "time_zone", "workspace__time_zone")
        .prefetch_related(
            Prefetch(
                "publish_jobs",
                queryset=PublishJob.objects.select_related("account")
                .only(
                    "pk",
                    "post_id",
                    "status",
                    "mode",
                    "init_requested_at",
                    "publish_id",
                    "account__username",
                    "account__avatar_url",
                )
                .order_by("account__username", "pk"),
            ),
            Prefetch(
                "post_media",
                queryset=PostMedia.objects.filter(position=0)
                .select_related("asset")
                .only("post_id", "position", "asset__thumbnail"),
            ),
        )
        .order_by("scheduled_at", "pk")
    )


def calendar_post_events(*, query: FeedQuery, now: datetime) -> list[dict[str, Any]]:
    """One FullCalendar event per post whose wall time in ``query.time_zone``
    falls in the range, filtered by account and state (see ``post_event``)."""
    events = []
    for post in _posts(query):
        if post.scheduled_at is None:
            continue
        local = utc_to_local(post.scheduled_at, query.time_zone)
        wall = local.replace(tzinfo=None)
        if not query.start <= wall < query.end:
            continue
        event = post_event(post, wall, now=now)
        if query.states and event["extendedProps"]["state"] not in query.states:
            continue
        events.append(event)
    return events


def post_event(post: Post, wall: datetime, *, now: datetime) -> dict[str, Any]:
    """A post as a FullCalendar event (its jobs and first media prefetched).

    Shape: ``id`` (post id as text), ``title``, ``start`` (wall time, ISO
    without offset), ``classNames``
    (``pd-state-<state>``) and ``extendedProps``: ``kind`` "post", ``state``,
    ``stateLabel``, ``time`` "HH:MM", ``thumbnail`` (URL or ""), ``accounts``
    [{``username``, ``avatar``}], ``movable`` and ``lockedReason`` (why
    not; a locked post may still be dragged and snaps back with the
    server's reason).
    Per-post extras the calendar shows when present (e.g. a deferral's next
    try) belong in ``extendedProps`` here.
    """
    jobs = list(post.publish_jobs.all())
    state = post_state_for(jobs)
    started = next((job for job in jobs if job_is_started(job)), None)
    if started is not None:
        reason = (
            f"Its copy for @{started.account.username} is already "
            f"'{started.get_status_display()}'."
        )
    elif post.scheduled_at is not None and post.scheduled_at <= now:
        reason = "Its time has passed."
    else:
        reason = ""
    media = list(post.post_media.all())
    thumbnail = media[0].asset.thumbnail if media else None
    live = [job for job in jobs if job.status != PublishJob.Status.CANCELLED]
    return {
        "id": str(post.pk),
        "title": post.title,
        "start": wall.strftime(WALL_ISO),
        "classNames": [f"pd-state-{state}"],
        "extendedProps": {
            "kind": "post",
            "state": state,
            "stateLabel": POST_STATE_LABELS[state],
            "time": wall.strftime("%H:%M"),
            "thumbnail": thumbnail.url if thumbnail else "",
            "accounts": [
                {"username": job.account.username, "avatar": job.account.avatar_url}
                for job in live
            ],
            "movable": not reason,
            "lockedReason": reason,
        },
    }


def calendar_background_events(*, query: FeedQuery) -> list[dict[str, Any]]:
    """Day markers behind the posts, as FullCalendar background events (all
    day, ``display`` "background", ``extendedProps.kind`` naming the marker).

    Today: each account's local day over TikTok's daily post cap or the
    pending-inbox limit (``kind`` "capacity", docs/tiktok.md §6). Other
    markers of a day or a slot (e.g. a queue's empty slots) are added here.
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
    return events
