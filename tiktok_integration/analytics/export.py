"""Metrics out as CSV or XLSX, per account or per post, over a date range.

Every text cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe,
in CSV and XLSX alike (OWASP "CSV injection"): captions are written by
creators and staff, and must never run in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from tiktok_integration.models import TikTokVideo, VideoSnapshot

HEADER = (
    "account",
    "video id",
    "title",
    "posted at (UTC)",
    "Postdeck post",
    "taken at (UTC)",
    "views",
    "likes",
    "comments",
    "shares",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is text a spreadsheet would
    run as a formula; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def metric_rows(
    *,
    videos: QuerySet[TikTokVideo],
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[tuple[Any, ...]]:
    """One row per snapshot of ``videos`` taken in [start, end), oldest first
    per video, already made safe. Streams from one query."""
    snapshots = VideoSnapshot.objects.filter(video__in=videos)
    if start is not None:
        snapshots = snapshots.filter(taken_at__gte=start)
    if end is not None:
        snapshots = snapshots.filter(taken_at__lt=end)
    rows = snapshots.select_related(
        "video__account", "video__publish_job__post"
    ).order_by(
        "video__account__username",
        "video__created_on_tiktok_at",
        "video_id",
        "taken_at",
    )
    for snapshot in rows.iterator(chunk_size=2000):
        video = snapshot.video
        post = video.publish_job.post if video.publish_job else None
        yield tuple(
            safe_cell(value)
            for value in (
                str(video.account),
                video.video_id,
                video.title,
                _iso(video.created_on_tiktok_at),
                post.title if post else "",
                _iso(snapshot.taken_at),
                snapshot.view_count,
                snapshot.like_count,
                snapshot.comment_count,
                snapshot.share_count,
            )
        )


def write_csv(rows: Iterable[tuple[Any, ...]], stream: io.TextIOBase | Any) -> None:
    """Write the header and ``rows`` as CSV to a text stream."""
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    writer.writerows(rows)


def write_xlsx(
    rows: Iterable[tuple[Any, ...]], stream: io.BufferedIOBase | Any
) -> None:
    """Write the header and ``rows`` as one XLSX sheet to a binary stream
    (write-only mode: memory stays flat however many rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("metrics")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(stream)


def export_response(
    *,
    videos: QuerySet[TikTokVideo],
    file_format: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> HttpResponse:
    """A download of ``videos``' snapshots as ``file_format`` ("csv" or
    "xlsx"). Raises ValueError for another format."""
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {file_format!r}.")
    response = HttpResponse(content_type=CONTENT_TYPES[file_format])
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="tiktok-metrics-{stamp}.{file_format}"'
    )
    rows = metric_rows(videos=videos, start=start, end=end)
    if file_format == "csv":
        text = io.StringIO()
        write_csv(rows, text)
        response.write(text.getvalue())
    else:
        write_xlsx(rows, response)
    return response
