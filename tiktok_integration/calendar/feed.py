"""The calendar's JSON feed: the posts of a visible range as FullCalendar
events, plus day markers (TikTok's caps exceeded).

Times are wall times in the zone the calendar shows (the workspace's, or the
viewer's), sent without an offset; the page runs FullCalendar in its "UTC"
mode, which shows such times as they are, so a post at 23:30 local sits on its
local day and 10:00 stays 10:00 across a clock change.

A constant number of queries whatever the number of posts: the workspace's
accounts, the range's planned jobs (read once for the capacity markers and
the free slots, ``background``), the cap deferrals, the posts' copies, their
first media, the posts, and the queues with their slots (``slots``); rows are
read as values, not model instances, and what posts with alike copies share
is built once (``events.PostLooks``), so 5,000 posts stay fast. Deferred posts
also show at their next try (``deferrals``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

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
from cms.scheduling import utc_to_local, zone
from media_library.models import MediaAsset
from tiktok_integration.calendar.background import calendar_background_events
from tiktok_integration.calendar.deferrals import deferrals_by_post, next_try_events
from tiktok_integration.calendar.events import (
    REVIEW_LABELS,
    FeedAccounts,
    JobRow,
    PostLooks,
    PostRow,
    post_event,
)
from tiktok_integration.db_instants import instant
from tiktok_integration.models import PublishJob
from tiktok_integration.planned_jobs import planned_jobs_between
from tiktok_integration.queues import DAY

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
    queue slots (``background.calendar_background_events``). Nothing for a
    workspace the user may not see.

    The range's planned jobs are read once (``planned_jobs_between``, over
    the range widened by the 24 hours TikTok's cap looks back and ahead) and
    shared by the capacity markers and the free slots."""
    if not query.allowed:
        return []
    accounts = FeedAccounts.of(query.workspace_id)
    start, end = query.utc_window
    planned = planned_jobs_between(
        account_ids=None if query.account_id is None else [query.account_id],
        workspace_ids=[query.workspace_id],
        start=start - DAY,
        end=end + DAY,
    )
    return [
        *calendar_post_events(query=query, now=now, accounts=accounts),
        *calendar_background_events(
            start=query.start,
            end=query.end,
            time_zone=query.time_zone,
            workspace_id=query.workspace_id,
            account_id=query.account_id,
            utc_start=start,
            utc_end=end,
            now=now,
            planned=planned,
            usernames={pk: name for pk, (name, _) in accounts.by_id.items()},
        ),
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


def _rows(posts: QuerySet[Post]) -> Iterator[PostRow]:
    """``posts`` (by time) with their jobs and first media's thumbnail name,
    in three queries whatever their number.

    Posts' copies look alike (a few statuses, a few accounts), so equal job
    rows and equal tuples of them are shared (``alike``): a month builds a
    few dozen, not one per post, and the garbage collector has fewer
    objects to walk."""
    alike: dict[Any, Any] = {}
    jobs: dict[int, tuple[JobRow, ...]] = {}
    for post_id, status, init_at, publish_id, account_id in (
        PublishJob.objects.filter(post__in=posts.values("pk"))
        .order_by("pk")
        .annotate(
            init_asked=ExpressionWrapper(
                Q(init_requested_at__isnull=False), output_field=BooleanField()
            )
        )
        .values_list("post_id", "status", "init_asked", "publish_id", "account_id")
    ):
        job = JobRow(status, bool(init_at), publish_id != "", account_id)
        both = (*jobs.get(post_id, ()), alike.setdefault(job, job))
        jobs[post_id] = alike.setdefault(both, both)
    thumbnails = dict(
        PostMedia.objects.filter(post__in=posts.values("pk"), position=0)
        .exclude(asset__thumbnail="")
        .values_list("post_id", "asset__thumbnail")
    )
    for pk, title, scheduled_at, editorial in (
        posts.order_by("scheduled_at", "pk")
        .annotate(planned_at=instant("scheduled_at"))
        .values_list("pk", "title", "planned_at", "editorial_state")
    ):
        if scheduled_at is not None:
            review = editorial if editorial in REVIEW_LABELS else ""
            yield PostRow(
                pk,
                title,
                scheduled_at,
                jobs.pop(pk, ()),
                thumbnails.get(pk, ""),
                review,
            )


def calendar_post_events(
    *, query: FeedQuery, now: datetime, accounts: FeedAccounts
) -> list[dict[str, Any]]:
    """One FullCalendar event per post whose wall time in ``query.time_zone``
    falls in the range, and one per next try of a cap-deferred post that
    falls in it (``deferrals.next_try_events``), filtered by account and
    state (see ``events.post_event``; ``accounts``: the workspace's). Four
    queries, whatever the number of posts."""
    start, end = query.utc_window
    deferrals = deferrals_by_post(
        workspace_id=query.workspace_id,
        account_id=query.account_id,
        start=start,
        end=end,
    )
    storage = _thumbnail_storage()
    looks = PostLooks(accounts)
    local_zone = zone(query.time_zone)
    events = []
    for row in _rows(_posts(query, deferrals.keys())):
        if query.states and looks.of(row.jobs).state not in query.states:
            continue
        wall = row.scheduled_at.astimezone(local_zone).replace(tzinfo=None)
        deferred = deferrals.get(row.pk)
        event = post_event(
            row,
            wall,
            looks=looks,
            accounts=accounts,
            storage=storage,
            now=now,
            deferrals=deferred or (),
            time_zone=query.time_zone,
        )
        if query.start <= wall < query.end:
            events.append(event)
        if deferred:
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
    return sorted(events, key=itemgetter("start"))


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
        accounts = FeedAccounts.of(workspace_id)
        return post_event(
            row,
            wall,
            looks=PostLooks(accounts),
            accounts=accounts,
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
