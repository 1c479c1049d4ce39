"""One plan row against the post it keys (``external_id``): unchanged, a new
post, an update, or refused; and the write, through the composer's own
``post_compose`` so a row passes exactly the composer's checks."""

from __future__ import annotations

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


def _live_jobs(post: Post) -> list[PublishJob]:
    return [
        job
        for job in post.publish_jobs.all()
        if job.status != PublishJob.Status.CANCELLED
    ]


def changed_columns(
    post: Post, row: ParsedRow, account: TikTokAccount, asset_ids: list[int]
) -> list[str]:
    """The contract columns where ``row`` differs from the saved ``post``
    (its jobs and media prefetched); empty when re-importing changes nothing."""
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
    jobs = _live_jobs(post)
    if len(jobs) != 1 or jobs[0].account_id != account.pk:
        return [*changed, "account"]
    job = jobs[0]
    changed += [
        name for name in _JOB_COLUMNS if getattr(job, name) != getattr(row, name)
    ]
    return changed


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


def write_row(
    *,
    row: ParsedRow,
    post: Post | None,
    account: TikTokAccount,
    asset_ids: list[int],
    workspace_id: int,
    user_id: int,
    origin: dict[str, Any],
    fresh: FreshCreatorInfo,
) -> tuple[Post | None, list[str]]:
    """Create or update the row's post through ``post_compose`` (consent as
    given with ``--consent``: the declaration TikTok requires is recorded as
    shown). Returns the post, or None with the reasons, each naming its column."""
    target = ComposeTarget(
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
    request = ComposeRequest(
        workspace_id=workspace_id,
        user_id=user_id,
        post_id=post.pk if post is not None else None,
        title="",
        caption=row.caption,
        media_ids=tuple(asset_ids),
        publish_now=False,
        wall_time=row.wall_time,
        time_zone=row.time_zone,
        fold=row.fold,
        targets=(target,),
        consented=True,
        external_id=row.external_id,
        origin=origin,
    )
    try:
        return post_compose(request=request, fresh=fresh), []
    except ComposeError as error:
        return None, reasons_of(error)
    except ValidationError as error:
        # The model's own limits (e.g. a caption-derived title): name them too.
        return None, list(error.messages)


def reasons_of(error: ComposeError) -> list[str]:
    """``error``'s sentences, each prefixed with the contract column it is
    about (e.g. "privacy_level: ...", "scheduled_at: ...")."""
    reasons = []
    for key, messages in error.errors.items():
        column = _COLUMN_FOR_KEY.get(key, key)
        if key.startswith("target:"):
            parts = key.split(":")
            column = parts[2] if len(parts) > 2 else "account"
            if column == "declaration_text":
                column = "brand_content"
        for message in messages:
            reasons.append(f"{column}: {message}" if column else message)
    return reasons
