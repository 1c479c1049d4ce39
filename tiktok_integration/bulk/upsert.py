"""Plan rows against the post they key (``external_id``): what changed, and
the write, through the composer's own ``post_compose`` (one call per post,
with a target per row) so a row passes exactly the composer's checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from cms.models import Post
from tiktok_integration.bulk.parsing import ParsedRow
from tiktok_integration.composer import BRANDED_DECLARATION, DIRECT, MUSIC_DECLARATION
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.selectors import job_is_started
from tiktok_integration.services.compose import (
    ComposeError,
    ComposeRequest,
    ComposeTarget,
    post_compose,
)
from tiktok_integration.services.compose_checks import FreshCreatorInfo

#: Which contract column a ``ComposeError`` key (or target field) is about.
_COLUMN_FOR_KEY = {"": "", "when": "scheduled_at", "targets": "account"}
_JOB_COLUMNS = ("mode", *PublishJob.TIKTOK_SETTINGS)


def jobs_by_account(post: Post) -> dict[int, PublishJob]:
    """Every job of ``post`` (prefetched), cancelled ones too, by account id
    (the composer keeps one job per post and account)."""
    return {job.account_id: job for job in post.publish_jobs.all()}


def is_live(job: PublishJob) -> bool:
    """Whether ``job`` still belongs to its post (it was not cancelled)."""
    return job.status != PublishJob.Status.CANCELLED


def post_changes(post: Post, row: ParsedRow, asset_ids: list[int]) -> list[str]:
    """The post-level columns (``contract.POST_COLUMNS``) where ``row``
    differs from the saved ``post`` (its media prefetched)."""
    changed = []
    if post.caption != row.caption:
        changed.append("caption")
    if (post.time_zone or post.workspace.time_zone) != row.time_zone:
        changed.append("timezone")
    if (
        post.scheduled_wall_time != row.wall_time
        or post.scheduled_at != row.scheduled_at
    ):
        changed.append("scheduled_at")
    media = [
        item.asset_id
        for item in sorted(post.post_media.all(), key=lambda item: item.position)
    ]
    if media != asset_ids:
        changed.append("media")
    return changed


def job_changes(job: PublishJob, row: ParsedRow) -> list[str]:
    """The columns of one account's TikTok settings (mode and
    ``PublishJob.TIKTOK_SETTINGS``) where ``row`` differs from ``job``."""
    return [name for name in _JOB_COLUMNS if getattr(job, name) != getattr(row, name)]


def started_refusal(post: Post) -> str:
    """Why a changed row cannot update ``post`` ("" when it can): one of its
    copies has started publishing (claimed, sent, published or failed)."""
    for job in post.publish_jobs.all():
        if job_is_started(job):
            return (
                f"@{job.account.username}'s copy is already "
                f"'{job.get_status_display()}', so this post can no longer change: "
                "keep the row as it was, or give it a new external_id."
            )
    return ""


def write_post(
    *,
    rows: Sequence[tuple[ParsedRow, TikTokAccount]],
    post: Post | None,
    asset_ids: list[int],
    workspace_id: int,
    user_id: int,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
) -> tuple[Post | None, dict[int, list[str]]]:
    """Create or update one post for every account of ``rows`` (rows of one
    ``external_id`` that agree on the post-level columns) in ONE
    ``post_compose`` call, so no account's job is touched by a write for
    another; the post's unstarted jobs of accounts not in ``rows`` are
    cancelled, as in the composer. Consent as given with ``--consent``: the
    declaration TikTok requires is recorded as shown (§8.5, §8.6). Returns
    the post and {}, or None and the reasons by line, each naming its column
    (a target's reasons on its account's row, the post's on every row)."""
    first = rows[0][0]
    request = ComposeRequest(
        workspace_id=workspace_id,
        user_id=user_id,
        post_id=post.pk if post is not None else None,
        title="",
        caption=first.caption,
        media_ids=tuple(asset_ids),
        publish_now=False,
        wall_time=first.wall_time,
        time_zone=first.time_zone,
        fold=next((row.fold for row, _ in rows if row.fold is not None), None),
        targets=tuple(_target(row, account) for row, account in rows),
        consented=True,
        external_id=first.external_id,
        origin=origin,
    )
    lines = [row.line for row, _ in rows]
    try:
        return post_compose(request=request, fresh=fresh), {}
    except ComposeError as error:
        line_of = {account.pk: row.line for row, account in rows}
        return None, reasons_by_line(error, line_of, lines)
    except ValidationError as error:
        # The model's own limits (e.g. a caption-derived title): name them too.
        return None, {line: list(error.messages) for line in lines}


def _target(row: ParsedRow, account: TikTokAccount) -> ComposeTarget:
    return ComposeTarget(
        account_id=account.pk,
        mode=row.mode,
        privacy_level=row.privacy_level,
        allow_comment=row.allow_comment,
        allow_duet=row.allow_duet,
        allow_stitch=row.allow_stitch,
        brand_organic=row.brand_organic,
        brand_content=row.brand_content,
        is_aigc=row.is_aigc,
        cover_timestamp_ms=row.cover_timestamp_ms,
        declaration_text=(
            (BRANDED_DECLARATION if row.brand_content else MUSIC_DECLARATION)
            if row.mode == DIRECT
            else ""
        ),
    )


def reasons_by_line(
    error: ComposeError, line_of: dict[int, int], lines: Sequence[int]
) -> dict[int, list[str]]:
    """``error``'s sentences by plan line, each prefixed with the contract
    column it is about (e.g. "privacy_level: ...", "scheduled_at: ...").
    ``line_of`` maps an account id to its row's line: "target:<account id>"
    keys go to that row, every other key to each of ``lines``."""
    found: dict[int, list[str]] = {line: [] for line in lines}
    for key, messages in error.errors.items():
        column = _COLUMN_FOR_KEY.get(key, key)
        at = list(lines)
        if key.startswith("target:"):
            parts = key.split(":")
            column = parts[2] if len(parts) > 2 else "account"
            if column == "declaration_text":
                column = "brand_content"
            account_id = int(parts[1]) if parts[1].isdigit() else None
            if account_id in line_of:
                at = [line_of[account_id]]
        for line in at:
            found[line] += [f"{column}: {m}" if column else m for m in messages]
    return found
