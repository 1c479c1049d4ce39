"""TikTok's posting caps per account and local day, before a day goes wrong.

TikTok lets a creator publish about ``DAILY_POST_CAP`` direct posts in any
24 hours and keep at most ``PENDING_SHARE_CAP`` drafts pending in their inbox
(docs/tiktok.md §6, §4.4; ``client/facts.py``, overridable by the settings
``TIKTOK_DAILY_POST_CAP`` and ``TIKTOK_PENDING_SHARE_CAP`` as the publisher
uses them). TikTok counts a rolling 24 hours; staff plan by day, so the
calendar and the composer count planned copies per account per local day in
the workspace's zone: a day over either number is refused by TikTok (and
deferred by Postdeck) before it happens.

One count (``capacity_of_planned``) feeds both the calendar's warnings, on the
jobs its feed read already, and the composer's check (``capacity_problems``,
through ``account_day_capacity``, which reads them first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from cms.scheduling import utc_to_local, zone
from tiktok_integration.composer import DIRECT
from tiktok_integration.models import TikTokAccount
from tiktok_integration.planned_jobs import planned_jobs_between

# Copies that count toward a day: every planned job (``planned_jobs``: not
# cancelled nor failed).
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayCapacity:
    """One account's planned copies on one local day.

    ``direct_posts``/``drafts``: copies planned that day (direct posts, inbox
    drafts); ``direct_cap``/``draft_cap``: TikTok's numbers (§6).
    """

    account_id: int
    username: str
    day: date
    direct_posts: int
    drafts: int
    direct_cap: int
    draft_cap: int

    @property
    def over_direct(self) -> bool:
        return self.direct_posts > self.direct_cap

    @property
    def over_drafts(self) -> bool:
        return self.drafts > self.draft_cap

    @property
    def is_over(self) -> bool:
        return self.over_direct or self.over_drafts

    def direct_message(self) -> str:
        return (
            f"@{self.username}: {self.direct_posts} direct posts planned on "
            f"{self.day:%d %b %Y}; TikTok allows {self.direct_cap} a day."
        )

    def drafts_message(self) -> str:
        return (
            f"@{self.username}: {self.drafts} drafts planned on "
            f"{self.day:%d %b %Y}; TikTok keeps at most {self.draft_cap} "
            "pending in the inbox."
        )

    def messages(self) -> list[str]:
        """What is wrong with the day, one sentence per cap exceeded."""
        return [
            *([self.direct_message()] if self.over_direct else []),
            *([self.drafts_message()] if self.over_drafts else []),
        ]


def _caps() -> tuple[int, int]:
    return settings.TIKTOK_DAILY_POST_CAP, settings.TIKTOK_PENDING_SHARE_CAP


def account_day_capacity(
    *,
    account_ids: Collection[int] | None,
    workspace_ids: Collection[int] | None,
    start: datetime,
    end: datetime,
    time_zone: str,
    exclude_post_id: int | None = None,
    extra: Iterable[tuple[int, str, datetime]] = (),
) -> dict[tuple[int, date], DayCapacity]:
    """Planned copies per (account id, local day in ``time_zone``) for the
    jobs scheduled in [``start``, ``end``) (aware), limited to ``account_ids``
    and ``workspace_ids`` (None: no limit). ``exclude_post_id`` leaves one
    post out (the one being edited or moved); ``extra`` adds planned copies
    as (account id, mode, aware instant), e.g. the post being checked.

    Two queries (the jobs, the accounts' names), whatever the number of
    jobs. Every (account, day) with at least one copy is returned; read
    ``is_over`` for the warnings. ``capacity_of_planned`` does the counting
    for rows read already (the calendar's feed).
    """
    planned = planned_jobs_between(
        account_ids=account_ids,
        workspace_ids=workspace_ids,
        start=start,
        end=end,
        exclude_post_id=exclude_post_id,
    )
    copies = [
        *(
            (account_id, mode, scheduled_at)
            for account_id, _, mode, scheduled_at, _ in planned
            if start <= scheduled_at < end
        ),
        *extra,
    ]
    names = dict(
        TikTokAccount.objects.filter(
            pk__in={account_id for account_id, _, _ in copies}
        ).values_list("pk", "username")
    )
    return capacity_of_planned(copies, time_zone=time_zone, names=names)


def capacity_of_planned(
    copies: Iterable[tuple[int, str, datetime]],
    *,
    time_zone: str,
    names: Mapping[int, str],
) -> dict[tuple[int, date], DayCapacity]:
    """``account_day_capacity`` for copies read already: ``copies`` as
    (account id, ``PublishJob.mode``, aware planned instant), counted on
    their local day in ``time_zone``; ``names``: account id -> username (the
    id as text when missing). No query."""
    local_zone = zone(time_zone)
    direct: Counter[tuple[int, date]] = Counter()
    drafts: Counter[tuple[int, date]] = Counter()
    for account_id, mode, moment in copies:
        key = (account_id, moment.astimezone(local_zone).date())
        (direct if mode == DIRECT else drafts)[key] += 1
    direct_cap, draft_cap = _caps()
    return {
        key: DayCapacity(
            account_id=key[0],
            username=names.get(key[0], str(key[0])),
            day=key[1],
            direct_posts=direct[key],
            drafts=drafts[key],
            direct_cap=direct_cap,
            draft_cap=draft_cap,
        )
        for key in direct.keys() | drafts.keys()
    }


def capacity_problems(
    *,
    targets: Iterable[tuple[int, str]],
    scheduled_at: datetime,
    time_zone: str,
    post_id: int | None,
) -> dict[int, list[str]]:
    """The caps a post would break: for each target (account id, mode) it is
    sent to at ``scheduled_at`` (aware), the sentences of its local day (in
    ``time_zone``) that would be over TikTok's caps with it added (the post
    ``post_id`` itself, when saved before, is not counted twice). Empty when
    every day stays within them. The composer and the calendar's moves
    refuse what this names (§6)."""
    targets = list(targets)
    if not targets:
        return {}
    local_day = utc_to_local(scheduled_at, time_zone).replace(
        hour=0, minute=0, second=0, microsecond=0, tzinfo=None
    )
    # A generous window around the local day: exact days are cut in Python.
    start = scheduled_at - 2 * _DAY
    end = scheduled_at + 2 * _DAY
    days = account_day_capacity(
        account_ids=[account_id for account_id, _ in targets],
        workspace_ids=None,
        start=start,
        end=end,
        time_zone=time_zone,
        exclude_post_id=post_id,
        extra=[(account_id, mode, scheduled_at) for account_id, mode in targets],
    )
    problems: dict[int, list[str]] = {}
    for account_id, mode in targets:
        capacity = days.get((account_id, local_day.date()))
        if capacity is None:
            continue
        if mode == DIRECT and capacity.over_direct:
            problems[account_id] = [capacity.direct_message()]
        elif mode != DIRECT and capacity.over_drafts:
            problems[account_id] = [capacity.drafts_message()]
    return problems
