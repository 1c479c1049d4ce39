"""``import_posts``, start to end: read the file, parse every row, group the
rows of one post (one ``external_id``, one row per account; ``grouping``),
look the whole file up at once, keep unchanged posts as they are, check the
plan against the daily cap, then write the rest post by post through the
composer (``upsert.write_post``: one ``post_compose`` call with every account
of the post).

Creator info is asked once per account for the whole file, before any write
and outside any transaction (§4.2, §8.1; the gateway's rate limits apply).
A dry run writes each post and rolls it back at once; ``--atomic`` writes in
one transaction, rolled back when any row is refused. Each post is its own
savepoint, so a refused row never leaves part of its post behind. Outcomes
and the progress callback stay per row.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cms.models import Post
from tiktok_integration.bulk.caps import PlannedPost, over_cap
from tiktok_integration.bulk.grouping import (
    PlanPost,
    decide_post,
    group_rows,
    refuse_with_post,
)
from tiktok_integration.bulk.parsing import (
    ParsedRow,
    parse_row,
    text_of,
)
from tiktok_integration.bulk.reading import read_plan
from tiktok_integration.bulk.report import (
    CREATED,
    REFUSED,
    UNCHANGED,
    UPDATED,
    ImportResult,
    RowOutcome,
)
from tiktok_integration.bulk.resolving import resolve
from tiktok_integration.bulk.upsert import (
    write_post,
)
from tiktok_integration.composer import DIRECT, missing_scope
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.compose_checks import FreshCreatorInfo
from workspaces.models import Workspace


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """One run of ``import_posts``: the file, the workspace, who runs it
    (recorded in every written job's evidence) and the switches."""

    path: Path
    workspace_id: int
    user_id: int
    dry_run: bool = False
    atomic: bool = False
    ignore_unknown: bool = False


class _RollBack(Exception):
    """Leaves the outer transaction of a dry run or a failed atomic run."""


def import_plan(
    options: ImportOptions,
    *,
    on_total: Callable[[int], None] | None = None,
    on_row: Callable[[RowOutcome], None] | None = None,
) -> ImportResult:
    """Import the plan at ``options.path``. ``on_total(n)`` is called once the
    rows are counted, ``on_row`` after each row is decided (for a progress
    bar). Raises ``reading.PlanFileError`` when the file as a whole cannot be
    read (nothing is written then). Returns every row's outcome."""
    plan = read_plan(options.path, ignore_unknown=options.ignore_unknown)
    if on_total is not None:
        on_total(len(plan.rows))
    zone = Workspace.objects.values_list("time_zone", flat=True).get(
        pk=options.workspace_id
    )
    outcomes: list[RowOutcome] = []
    parsed: list[tuple[ParsedRow, RowOutcome]] = []
    for plan_row in plan.rows:
        row, problems = parse_row(plan_row, zone)
        outcome = RowOutcome(
            plan_row.line, text_of(plan_row.values.get("external_id")).strip(), ""
        )
        outcomes.append(outcome)
        if row is None:
            outcome.refuse(problems)
        else:
            parsed.append((row, outcome))
    groups = group_rows(outcomes, parsed)
    rows = [row for group in groups for row, _ in group]
    user = get_user_model().objects.get(pk=options.user_id)
    lookups = resolve(
        workspace_id=options.workspace_id,
        names={row.account for row in rows},
        media_refs={ref for row in rows for ref in row.media},
        external_ids={row.external_id for row in rows},
        base=options.path.resolve().parent,
        uploaded_by=user,
        dry_run=options.dry_run,
    )
    pending = [item for group in groups if (item := decide_post(group, lookups))]
    _apply_caps(pending)
    pending = [
        item
        for item in pending
        if all(member.outcome.outcome != REFUSED for member in item.members)
    ]
    fresh = FreshCreatorInfo()
    for account in {
        member.account.pk: member.account
        for item in pending
        for member in item.targets
        if member.row.mode == DIRECT
    }.values():
        if account.status == TikTokAccount.Status.ACTIVE and not missing_scope(
            DIRECT, account.granted_scopes
        ):
            fresh.for_account(account)
    origin = {
        "command": "import_posts",
        "file": str(options.path.resolve()),
        "file_sha256": hashlib.sha256(options.path.read_bytes()).hexdigest(),
        "by": {"id": user.pk, "username": user.get_username()},
        "at": db_now().isoformat(),
    }
    written = _write(pending, options, origin, fresh, outcomes, on_row)
    return ImportResult(
        rows=outcomes, dry_run=options.dry_run, atomic=options.atomic, written=written
    )


def _apply_caps(pending: list[PlanPost]) -> None:
    refused = over_cap(
        (
            PlannedPost(m.row.line, m.account.pk, m.row.scheduled_at, True)
            for item in pending
            for m in item.targets
            if m.row.mode == DIRECT
        ),
        skip_posts={item.post.pk for item in pending if item.post is not None},
    )
    for item in pending:
        lines = [m.row.line for m in item.members if m.row.line in refused]
        for line in lines:
            member = next(m for m in item.members if m.row.line == line)
            member.outcome.refuse([f"scheduled_at: {refused[line]}"])
        if lines:
            outcomes = [m.outcome for m in item.members]
            refuse_with_post(outcomes, item.external_id, lines)


def _write(
    pending: list[PlanPost],
    options: ImportOptions,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
    outcomes: list[RowOutcome],
    on_row: Callable[[RowOutcome], None] | None,
) -> bool:
    by_line = {member.row.line: item for item in pending for member in item.members}
    done: set[str] = set()
    # A dry run rolls each post back at once rather than holding one long write
    # transaction (on SQLite it would lock out the workers for the whole run).
    outer = options.atomic and not options.dry_run
    try:
        with transaction.atomic() if outer else contextlib.nullcontext():
            for outcome in outcomes:
                item = by_line.get(outcome.line)
                # A post is written once, at its first row, with all its rows.
                if item is not None and item.external_id not in done:
                    done.add(item.external_id)
                    _write_one(item, options, origin, fresh)
                if on_row is not None:
                    on_row(outcome)
            if outer and any(row.outcome == REFUSED for row in outcomes):
                raise _RollBack
    except _RollBack:
        return False
    return not options.dry_run and any(
        row.outcome in (CREATED, UPDATED) for row in outcomes
    )


def _write_one(
    item: PlanPost,
    options: ImportOptions,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
) -> None:
    targets = item.targets
    if item.media_pending:
        for member in targets:
            member.outcome.outcome = UPDATED if item.post is not None else CREATED
            member.outcome.reasons.append(
                "media not in the library yet: it would be imported first, and "
                "the row checked against TikTok's rules then."
            )
        return
    lines = [member.row.line for member in targets]
    where: dict[str, Any] = {"line": lines[0]}
    if len(lines) > 1:
        where["lines"] = lines
    post: Post | None = None
    reasons: dict[int, list[str]] = {}
    try:
        with transaction.atomic():
            post, reasons = write_post(
                rows=[(member.row, member.account) for member in targets],
                post=item.post,
                asset_ids=item.asset_ids,
                workspace_id=options.workspace_id,
                user_id=options.user_id,
                origin=origin | where,
                fresh=fresh,
            )
            if options.dry_run:
                raise _RollBack
    except _RollBack:
        pass
    if post is None:
        refused = [line for line in lines if reasons.get(line)]
        for member in targets:
            if reasons.get(member.row.line):
                member.outcome.refuse(reasons[member.row.line])
        outcomes = [member.outcome for member in item.members]
        refuse_with_post(outcomes, item.external_id, refused or lines)
        return
    for member in item.members:
        if item.post is None:
            member.outcome.outcome = CREATED
        elif member.changed:
            member.outcome.outcome = UPDATED
        else:
            member.outcome.outcome = UNCHANGED
