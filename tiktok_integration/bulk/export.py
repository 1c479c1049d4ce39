"""``export_posts``: posts back out in the import contract's columns, plus
what happened to them (state, publish id, public URL, failure reason and the
latest metrics), as CSV or XLSX.

One row per post and account (a post made in the composer for two accounts
gives two rows under one ``external_id``, which re-import as that one post:
``grouping``). Every text
cell a spreadsheet would run as a formula gets a leading apostrophe
(``analytics.export.safe_cell``); ``import_posts`` takes it off again, so an
export re-imported with ``--dry-run`` reports every row unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook

from cms.models import Post
from cms.scheduling import utc_to_local
from tiktok_integration.analytics.export import safe_cell
from tiktok_integration.bulk.contract import (
    COLUMNS,
    EXPORT_ONLY_COLUMNS,
    MEDIA_SEPARATOR,
    POST_ID_PREFIX,
)
from tiktok_integration.models import PublishJob, TikTokVideo

HEADER = (*COLUMNS, *EXPORT_ONLY_COLUMNS)
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which jobs to export: ``workspace_id`` always; ``account`` a username
    or open_id; ``start``/``end`` aware instants bounding ``scheduled_at``
    ([start, end)); ``states`` ``PublishJob.Status`` values."""

    workspace_id: int
    account: str = ""
    start: datetime | None = None
    end: datetime | None = None
    states: tuple[str, ...] = ()


def export_jobs(spec: ExportFilter) -> QuerySet[PublishJob]:
    """The jobs ``spec`` selects, oldest first, with everything a row needs
    loaded in a fixed number of queries (post, account, media, videos)."""
    jobs = PublishJob.objects.filter(post__workspace_id=spec.workspace_id)
    if spec.account:
        name = spec.account.removeprefix("@")
        jobs = jobs.filter(account__username__iexact=name) | jobs.filter(
            account__open_id=name
        )
    if spec.start is not None:
        jobs = jobs.filter(scheduled_at__gte=spec.start)
    if spec.end is not None:
        jobs = jobs.filter(scheduled_at__lt=spec.end)
    if spec.states:
        jobs = jobs.filter(status__in=spec.states)
    return (
        jobs.select_related("post__workspace", "account")
        .prefetch_related(
            "post__post_media__asset",
            Prefetch(
                "videos", queryset=TikTokVideo.objects.order_by("-last_sampled_at")
            ),
        )
        .order_by("scheduled_at", "pk")
    )


def export_rows(jobs: QuerySet[PublishJob]) -> Iterator[tuple[Any, ...]]:
    """One row per job in ``HEADER`` order, already made formula-safe."""
    for job in jobs:
        post = job.post
        yield tuple(safe_cell(value) for value in _row(job, post))


def _row(job: PublishJob, post: Post) -> tuple[Any, ...]:
    media = MEDIA_SEPARATOR.join(
        item.asset.sha256
        for item in sorted(post.post_media.all(), key=lambda item: item.position)
    )
    zone = post.time_zone or post.workspace.time_zone
    when = ""
    if post.scheduled_at is not None:
        when = utc_to_local(post.scheduled_at, zone).isoformat()
    videos = list(job.videos.all())
    video = videos[0] if videos else None
    return (
        post.external_id or f"{POST_ID_PREFIX}{post.pk}",
        job.account.username,
        media,
        post.caption,
        when,
        zone,
        job.mode,
        job.privacy_level,
        *(
            _word(getattr(job, name))
            for name in (
                "allow_comment",
                "allow_duet",
                "allow_stitch",
                "brand_organic",
                "brand_content",
                "is_aigc",
            )
        ),
        "" if job.cover_timestamp_ms is None else job.cover_timestamp_ms,
        job.status,
        job.publish_id,
        job.public_url or (video.share_url if video else ""),
        job.failure_message or job.fail_reason,
        video.latest_view_count if video else "",
        video.latest_like_count if video else "",
        video.latest_comment_count if video else "",
        video.latest_share_count if video else "",
        video.last_sampled_at.isoformat() if video and video.last_sampled_at else "",
    )


def _word(flag: bool) -> str:
    return "true" if flag else "false"


def write_csv(rows: Iterator[tuple[Any, ...]], stream: IO[str]) -> int:
    """The header and ``rows`` as UTF-8 CSV text; returns how many rows."""
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(rows: Iterator[tuple[Any, ...]], stream: IO[bytes]) -> int:
    """The header and ``rows`` as one XLSX sheet (write-only: memory stays
    flat); returns how many rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("posts")
    sheet.append(HEADER)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(stream)
    return count
