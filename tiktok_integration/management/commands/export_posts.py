"""``manage.py export_posts --workspace SLUG [-o FILE]``: posts as CSV or XLSX
in the import contract's columns plus state, publish id, public URL, failure
reason and latest metrics (docs/bulk-posts.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cms.scheduling import LocalTimeError, local_to_utc
from tiktok_integration.bulk.export import (
    FORMATS,
    ExportFilter,
    export_jobs,
    export_rows,
    write_csv,
    write_xlsx,
)
from tiktok_integration.models import PublishJob
from workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Export a workspace's posts (one row per post and account) as CSV or "
        "XLSX, in the columns import_posts reads plus state, publish_id, "
        "public_url, failure_reason and the latest metrics."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument(
            "-o", "--output", type=Path, help="File to write (default: stdout, CSV)."
        )
        parser.add_argument(
            "--format", choices=FORMATS, help="csv or xlsx (default: from -o's suffix)."
        )
        parser.add_argument("--account", default="", help="Username or open_id.")
        parser.add_argument(
            "--from",
            dest="start",
            type=date.fromisoformat,
            help="First day (YYYY-MM-DD, in the workspace's time zone).",
        )
        parser.add_argument(
            "--to",
            dest="end",
            type=date.fromisoformat,
            help="Last day, included (YYYY-MM-DD, in the workspace's time zone).",
        )
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            choices=PublishJob.Status.values,
            help="Only jobs in this state (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = Workspace.objects.get(slug=options["workspace"])
        except Workspace.DoesNotExist as error:
            raise CommandError(
                f"No workspace with slug {options['workspace']!r}."
            ) from error
        output: Path | None = options["output"]
        file_format = options["format"] or (
            output.suffix.lower().lstrip(".") if output is not None else "csv"
        )
        if file_format not in FORMATS:
            raise CommandError("Choose --format csv or xlsx (or name a .csv/.xlsx).")
        if file_format == "xlsx" and output is None:
            raise CommandError("XLSX needs a file: add -o posts.xlsx.")
        spec = ExportFilter(
            workspace_id=workspace.pk,
            account=options["account"],
            start=_midnight(options["start"], workspace.time_zone),
            end=_midnight(
                options["end"] + timedelta(days=1) if options["end"] else None,
                workspace.time_zone,
            ),
            states=tuple(options["state"]),
        )
        rows = export_rows(export_jobs(spec))
        if output is None:
            self.stdout.ending = ""  # csv ends its own lines
            count = write_csv(rows, self.stdout)  # type: ignore[arg-type]
        elif file_format == "csv":
            with output.open("w", newline="", encoding="utf-8") as stream:
                count = write_csv(rows, stream)
        else:
            with output.open("wb") as binary:
                count = write_xlsx(rows, binary)
        if output is not None and int(options["verbosity"]) > 0:
            self.stdout.write(f"Exported {count} row(s) to {output}.")


def _midnight(day: date | None, time_zone: str) -> datetime | None:
    if day is None:
        return None
    try:
        return local_to_utc(datetime.combine(day, time()), time_zone, fold=0)
    except LocalTimeError:
        # Midnight skipped by a clock change (a few zones): the day starts at 01:00.
        return local_to_utc(datetime.combine(day, time(1)), time_zone, fold=0)
