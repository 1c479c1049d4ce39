"""``import_posts``, start to end: read the file, parse every row, refuse
duplicates, look the whole file up at once, keep unchanged rows as they are,
check the plan against the daily cap, then write the rest one by one through
the composer (``upsert.write_row``).

Creator info is asked once per account for the whole file, before any write
and outside any transaction (§4.2, §8.1; the gateway's rate limits apply).
A dry run writes each row and rolls it back at once; ``--atomic`` writes in
one transaction, rolled back when any row is refused. Each row is its own
savepoint, so a refused row never leaves part of itself behind.
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
from tiktok_integration.bulk.parsing import (
    EMPTY_MEDIA,
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
from tiktok_integration.bulk.resolving import Lookups, account_for, resolve
from tiktok_integration.bulk.upsert import changed_columns, started_refusal, write_row
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


@dataclass(slots=True)
class _Pending:
    row: ParsedRow
    outcome: RowOutcome
    account: TikTokAccount
    asset_ids: list[int]
    post: Post | None
    media_pending: bool


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
            _refuse(outcome, problems)
        else:
            parsed.append((row, outcome))
    parsed = _without_duplicates(parsed)
    user = get_user_model().objects.get(pk=options.user_id)
    lookups = resolve(
        workspace_id=options.workspace_id,
        names={row.account for row, _ in parsed},
        media_refs={ref for row, _ in parsed for ref in row.media},
        external_ids={row.external_id for row, _ in parsed},
        base=options.path.resolve().parent,
        uploaded_by=user,
        dry_run=options.dry_run,
    )
    pending = _decide(parsed, lookups)
    _apply_caps(pending)
    pending = [item for item in pending if item.outcome.outcome != REFUSED]
    fresh = FreshCreatorInfo()
    for account in {
        item.account.pk: item.account for item in pending if item.row.mode == DIRECT
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


def _refuse(outcome: RowOutcome, reasons: list[str]) -> None:
    outcome.outcome = REFUSED
    outcome.reasons = list(reasons)


def _without_duplicates(
    parsed: list[tuple[ParsedRow, RowOutcome]],
) -> list[tuple[ParsedRow, RowOutcome]]:
    lines: dict[str, list[int]] = {}
    for row, _ in parsed:
        lines.setdefault(row.external_id, []).append(row.line)
    kept = []
    for row, outcome in parsed:
        same = lines[row.external_id]
        if len(same) > 1:
            others = ", ".join(str(line) for line in same if line != row.line)
            _refuse(
                outcome,
                [
                    f"external_id '{row.external_id}' is also on line(s) {others}: "
                    "give each post its own external_id (no row with it was "
                    "imported)."
                ],
            )
        else:
            kept.append((row, outcome))
    return kept


def _decide(
    parsed: list[tuple[ParsedRow, RowOutcome]], lookups: Lookups
) -> list[_Pending]:
    pending = []
    for row, outcome in parsed:
        account = account_for(lookups, row.account)
        found = [lookups.media[ref] for ref in row.media]
        problems = [media.problem for media in found if media.problem]
        if account is None:
            problems.insert(
                0,
                f"account '{row.account}' is not connected to this "
                "workspace: connect it first, or fix the name.",
            )
        if problems or account is None:
            _refuse(outcome, problems)
            continue
        asset_ids = [media.asset_id for media in found if media.asset_id]
        post = lookups.posts.get(row.external_id)
        item = _Pending(
            row,
            outcome,
            account,
            asset_ids,
            post,
            any(media.pending for media in found),
        )
        # An unchanged row is left alone before anything a write would need
        # (an export of a published post without media re-imports unchanged).
        known = post is not None and not item.media_pending
        changed = (
            changed_columns(post, row, account, asset_ids) if post and known else []
        )
        if known and not changed:
            outcome.outcome = UNCHANGED
            continue
        if not row.media:
            _refuse(outcome, [EMPTY_MEDIA])
            continue
        if post is not None and known:
            refusal = started_refusal(post)
            if refusal:
                _refuse(outcome, [f"{', '.join(changed)} changed, but {refusal}"])
                continue
            outcome.reasons = [f"changed: {', '.join(changed)}"]
        pending.append(item)
    return pending


def _apply_caps(pending: list[_Pending]) -> None:
    refused = over_cap(
        (
            PlannedPost(item.row.line, item.account.pk, item.row.scheduled_at, True)
            for item in pending
            if item.row.mode == DIRECT
        ),
        skip_posts={item.post.pk for item in pending if item.post is not None},
    )
    for item in pending:
        if item.row.line in refused:
            _refuse(item.outcome, [f"scheduled_at: {refused[item.row.line]}"])


def _write(
    pending: list[_Pending],
    options: ImportOptions,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
    outcomes: list[RowOutcome],
    on_row: Callable[[RowOutcome], None] | None,
) -> bool:
    by_line = {item.row.line: item for item in pending}
    # A dry run rolls each row back at once rather than holding one long write
    # transaction (on SQLite it would lock out the workers for the whole run).
    outer = options.atomic and not options.dry_run
    try:
        with transaction.atomic() if outer else contextlib.nullcontext():
            for outcome in outcomes:
                item = by_line.get(outcome.line)
                if item is not None:
                    _write_one(item, options, origin | {"line": outcome.line}, fresh)
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
    item: _Pending,
    options: ImportOptions,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
) -> None:
    outcome = item.outcome
    if item.media_pending:
        outcome.outcome = UPDATED if item.post is not None else CREATED
        outcome.reasons.append(
            "media not in the library yet: it would be imported first, and the "
            "row checked against TikTok's rules then."
        )
        return
    post: Post | None = None
    reasons: list[str] = []
    try:
        with transaction.atomic():
            post, reasons = write_row(
                row=item.row,
                post=item.post,
                account=item.account,
                asset_ids=item.asset_ids,
                workspace_id=options.workspace_id,
                user_id=options.user_id,
                origin=origin,
                fresh=fresh,
            )
            if options.dry_run:
                raise _RollBack
    except _RollBack:
        pass
    if post is None:
        outcome.reasons = []
        _refuse(outcome, reasons)
    else:
        outcome.outcome = UPDATED if item.post is not None else CREATED
