"""manage.py export_metrics: snapshots of an account's or a post's videos as
CSV or XLSX, over a date range."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from tiktok_integration.analytics.export import metric_rows, write_csv, write_xlsx
from tiktok_integration.models import TikTokVideo


def _day(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Dates look like 2026-01-31; got {value!r}.") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Export video metrics (one row per snapshot) of an account or a post over a "
        "date range, as CSV or XLSX. Text that a spreadsheet would run as a formula "
        "is prefixed with an apostrophe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--account", help="@username, open id or id.")
        target.add_argument("--post", type=int, help="Post id.")
        parser.add_argument("--from", dest="start", type=_day, help="First day (UTC).")
        parser.add_argument(
            "--to", dest="end", type=_day, help="Last day (UTC), included."
        )
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--output", help="File to write; CSV goes to stdout without it."
        )

    def handle(
        self,
        *args: Any,
        account: str | None,
        post: int | None,
        start: datetime | None,
        end: datetime | None,
        format: str,
        output: str | None,
        **_: Any,
    ) -> None:
        if account is not None:
            name = account.lstrip("@")
            wanted = Q(account__username=name) | Q(account__open_id=account)
            if account.isdigit():
                wanted |= Q(account_id=int(account))
            videos = TikTokVideo.objects.filter(wanted)
        else:
            videos = TikTokVideo.objects.filter(publish_job__post_id=int(post or 0))
        if not videos.exists():
            raise CommandError("No synced videos match; run sync_tiktok first?")
        until = end + timedelta(days=1) if end is not None else None
        rows = metric_rows(videos=videos, start=start, end=until)
        if format == "xlsx":
            if output is None:
                raise CommandError("XLSX needs --output FILE.")
            with Path(output).open("wb") as handle:
                write_xlsx(rows, handle)
        elif output is None:
            write_csv(rows, sys.stdout if self.stdout is None else self.stdout)
        else:
            with Path(output).open("w", newline="", encoding="utf-8") as handle:
                write_csv(rows, handle)
        if output is not None:
            self.stderr.write(f"Wrote {output}.")
