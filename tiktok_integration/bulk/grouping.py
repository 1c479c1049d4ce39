"""Rows sharing an ``external_id`` are one post for several accounts, as the
composer makes it (one row per account, as ``export_posts`` writes them).

They must name different accounts and agree on every post-level column
(``contract.POST_COLUMNS``: media, caption, scheduled_at, timezone); the
other columns are each account's own TikTok settings. A post is written
whole or not at all, so when any of its rows is refused, so are the others,
each saying which line to fix. ``decide_post`` compares a group with its
saved post: what changed per row, and which accounts it removes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cms.models import Post
from tiktok_integration.bulk.contract import POST_COLUMNS
from tiktok_integration.bulk.parsing import EMPTY_MEDIA, ParsedRow
from tiktok_integration.bulk.report import REFUSED, UNCHANGED, RowOutcome
from tiktok_integration.bulk.resolving import Lookups, account_for
from tiktok_integration.bulk.upsert import (
    is_live,
    job_changes,
    jobs_by_account,
    post_changes,
    started_refusal,
)
from tiktok_integration.models import TikTokAccount

Parsed = tuple[ParsedRow, RowOutcome]


@dataclass(slots=True)
class PostRow:
    """One row of a post: ``changed`` its columns that differ from the saved
    post; ``target`` False for a row whose copy was cancelled before and that
    does not change (it stays cancelled, and is not sent to the composer)."""

    row: ParsedRow
    outcome: RowOutcome
    account: TikTokAccount
    changed: list[str] = field(default_factory=list)
    target: bool = True


@dataclass(slots=True)
class PlanPost:
    """One post to write: its rows (one per account), media and saved post."""

    external_id: str
    members: list[PostRow]
    asset_ids: list[int]
    post: Post | None
    media_pending: bool

    @property
    def targets(self) -> list[PostRow]:
        return [member for member in self.members if member.target]

    def refuse(self, reasons: list[str]) -> None:
        for member in self.members:
            member.outcome.refuse(reasons)


def lines_text(lines: Sequence[int]) -> str:
    """Lines as a sentence says them: "line 4", "lines 2 and 3", "lines 2, 3
    and 5"."""
    if len(lines) == 1:
        return f"line {lines[0]}"
    head = ", ".join(str(line) for line in lines[:-1])
    return f"lines {head} and {lines[-1]}"


def group_rows(outcomes: list[RowOutcome], parsed: list[Parsed]) -> list[list[Parsed]]:
    """``parsed`` (the rows that parsed, with their outcomes) grouped by
    ``external_id``, in file order. ``outcomes`` holds every row, also those
    refused while parsing: a group with one of those, or whose rows disagree
    on a post-level column, is refused whole (its outcomes are marked) and
    left out of the result."""
    refused_lines: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.outcome == REFUSED and outcome.external_id:
            refused_lines.setdefault(outcome.external_id, []).append(outcome.line)
    groups: dict[str, list[Parsed]] = {}
    for item in parsed:
        groups.setdefault(item[0].external_id, []).append(item)
    kept = []
    for external_id, group in groups.items():
        members = [outcome for _, outcome in group]
        if external_id in refused_lines:
            refuse_with_post(members, external_id, refused_lines[external_id])
            continue
        columns = disagreeing_columns([row for row, _ in group])
        if columns:
            lines = lines_text([row.line for row, _ in group])
            reason = (
                f"{lines.capitalize()} share external_id '{external_id}' (one post "
                f"for several accounts) but differ in {', '.join(columns)}: give "
                f"them the same {_post_columns()}, or give each post its own "
                "external_id. Nothing of this post was imported."
            )
            for outcome in members:
                outcome.refuse([reason])
            continue
        kept.append(group)
    return kept


def disagreeing_columns(rows: Sequence[ParsedRow]) -> list[str]:
    """The post-level columns (``contract.POST_COLUMNS``) on which ``rows``
    are not all the same, in contract order; empty when they agree."""
    return [
        column
        for column in POST_COLUMNS
        if len({_post_value(row, column) for row in rows}) > 1
    ]


def refuse_with_post(
    outcomes: Sequence[RowOutcome], external_id: str, refused: Sequence[int]
) -> None:
    """Refuse every row of ``outcomes`` not refused yet because ``refused``
    (lines of the same post) were: nothing of a post is written in part."""
    verb = "was" if len(refused) == 1 else "were"
    reason = (
        f"Not imported: {lines_text(sorted(refused))} of the same post "
        f"(external_id '{external_id}') {verb} refused, and a post is written "
        "whole; fix that first."
    )
    for outcome in outcomes:
        if outcome.outcome != REFUSED:
            outcome.refuse([reason])


def same_account_refusal(external_id: str, lines: Sequence[int], name: str) -> str:
    """The sentence for rows of one post that name the same account twice."""
    return (
        f"{lines_text(sorted(lines)).capitalize()} share external_id "
        f"'{external_id}' and both name @{name}: a post has one row per "
        "account; remove one, or give it its own external_id. Nothing of this "
        "post was imported."
    )


def decide_post(group: list[Parsed], lookups: Lookups) -> PlanPost | None:
    """The post a group of rows (one ``external_id``, from ``group_rows``)
    would write, with what changed per row; or None when it writes nothing
    (every row unchanged, or every row refused: their outcomes are set). Rows
    naming the same account twice are refused, as is the whole group when
    one row is (an unknown account, missing media, ...)."""
    external_id = group[0][0].external_id
    members: list[PostRow] = []
    refused: list[int] = []
    for row, outcome in group:
        account = account_for(lookups, row.account)
        problems = [lookups.media[ref].problem for ref in row.media]
        problems = [problem for problem in problems if problem]
        if account is None:
            problems.insert(
                0,
                f"account '{row.account}' is not connected to this "
                "workspace: connect it first, or fix the name.",
            )
        if problems or account is None:
            outcome.refuse(problems)
            refused.append(row.line)
        else:
            members.append(PostRow(row, outcome, account))
    if refused:
        refuse_with_post([outcome for _, outcome in group], external_id, refused)
        return None
    by_account: dict[int, list[PostRow]] = {}
    for member in members:
        by_account.setdefault(member.account.pk, []).append(member)
    for twice in (same for same in by_account.values() if len(same) > 1):
        lines = [member.row.line for member in twice]
        reason = same_account_refusal(external_id, lines, twice[0].account.username)
        for member in members:
            member.outcome.refuse([reason])
        return None
    first = members[0].row
    found = [lookups.media[ref] for ref in first.media]
    item = PlanPost(
        external_id,
        members,
        [media.asset_id for media in found if media.asset_id],
        lookups.posts.get(external_id),
        any(media.pending for media in found),
    )
    # An unchanged post is left alone before anything a write would need
    # (an export of a published post without media re-imports unchanged).
    known = item.post if not item.media_pending else None
    if known is not None and not _compare(item, known):
        return None
    if not first.media:
        item.refuse([EMPTY_MEDIA])
        return None
    refusal = started_refusal(known) if known is not None else ""
    if refusal:
        changed = dict.fromkeys(name for m in members for name in m.changed)
        item.refuse([f"{', '.join(changed)} changed, but {refusal}"])
        return None
    return item


def _compare(item: PlanPost, post: Post) -> bool:
    """Fill each member's ``changed`` against the saved ``post``; False
    (every row marked unchanged) when the import would change nothing."""
    jobs = jobs_by_account(post)
    shared = post_changes(post, item.members[0].row, item.asset_ids)
    for member in item.members:
        job = jobs.get(member.account.pk)
        own = ["account"] if job is None else job_changes(job, member.row)
        if job is not None and not is_live(job) and not own:
            # Its row was dropped before (or its copy cancelled): an export
            # still lists it, and re-importing that must not post it again.
            member.target = False
            continue
        member.changed = [*shared, *own]
    wanted = {member.account.pk for member in item.members}
    removed = [
        f"@{job.account.username}"
        for account_id, job in jobs.items()
        if account_id not in wanted and is_live(job)
    ]
    targets = item.targets
    if not targets and (shared or removed):
        item.refuse([
            "Every row of this post names a copy that was cancelled, so the "
            "post cannot change: leave the rows as they were, or change one "
            "row's own settings to post that copy again."
        ])  # fmt: skip
        return False
    if not removed and not any(member.changed for member in targets):
        for member in item.members:
            member.outcome.outcome = UNCHANGED
        return False
    for member in targets:
        if member.changed:
            member.outcome.reasons = [f"changed: {', '.join(member.changed)}"]
    if removed:
        targets[0].changed.append("account")
        targets[0].outcome.reasons.append(
            f"removes {', '.join(removed)} from this post (no row names it): "
            "its copy that has not started is cancelled."
        )
    return True


def _post_columns() -> str:
    return ", ".join(POST_COLUMNS[:-1]) + f" and {POST_COLUMNS[-1]}"


def _post_value(row: ParsedRow, column: str) -> Any:
    if column == "media":
        return row.media
    if column == "caption":
        return row.caption
    if column == "scheduled_at":
        return (row.wall_time, row.scheduled_at)
    return row.time_zone
