"""``manage.py import_posts PLAN --workspace SLUG --user NAME``: a posting plan
(CSV or XLSX, docs/bulk-posts.md) into scheduled posts, upserted on
``external_id`` and checked exactly as the composer checks them."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from tiktok_integration.bulk.importer import ImportOptions, import_plan
from tiktok_integration.bulk.reading import PlanFileError
from tiktok_integration.bulk.report import (
    REFUSED,
    ImportResult,
    RowOutcome,
    summary_line,
    write_report,
)
from tiktok_integration.composer import BRANDED_DECLARATION, MUSIC_DECLARATION
from tiktok_integration.services.compose_checks import member_of
from workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Import a posting plan (CSV or XLSX; columns in docs/bulk-posts.md) as "
        "scheduled posts. Rows are created or updated by external_id; re-running "
        "the same file changes nothing. Exits with status 1 when any row was "
        "refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="The plan, .csv or .xlsx.")
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument(
            "--user", required=True, help="Username of the person importing."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="All or nothing: write no row when any row is refused.",
        )
        parser.add_argument(
            "--ignore-unknown",
            action="store_true",
            help="Ignore columns the contract does not name (else an error).",
        )
        parser.add_argument(
            "--report", type=Path, help="Write every row's outcome to a .csv or .json."
        )
        parser.add_argument(
            "--consent",
            action="store_true",
            help="Agree, for every imported post, to TikTok's Music Usage "
            "Confirmation (and Branded Content Policy for brand_content rows). "
            "Needed unless --dry-run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report: Path | None = options["report"]
        if report is not None and report.suffix.lower() not in (".csv", ".json"):
            raise CommandError("--report must end in .csv or .json.")
        if not options["dry_run"] and not options["consent"]:
            raise CommandError(
                "Imported posts go to TikTok: add --consent to agree, for every "
                f'row, to "{MUSIC_DECLARATION}" (rows with brand_content: '
                f'"{BRANDED_DECLARATION}"), or use --dry-run.'
            )
        workspace = _workspace(options["workspace"])
        user = _user(options["user"])
        if not member_of(user.pk, workspace.pk):
            raise CommandError(f"{user} is not a member of {workspace.slug}.")
        run = ImportOptions(
            path=options["file"],
            workspace_id=workspace.pk,
            user_id=user.pk,
            dry_run=options["dry_run"],
            atomic=options["atomic"],
            ignore_unknown=options["ignore_unknown"],
        )
        quiet = int(options["verbosity"]) == 0 or not sys.stderr.isatty()
        with Progress(disable=quiet, transient=True) as progress:
            task = progress.add_task("Importing", total=None)

            def on_row(outcome: RowOutcome) -> None:
                progress.advance(task)

            try:
                result = import_plan(
                    run,
                    on_total=lambda total: progress.update(task, total=total),
                    on_row=on_row,
                )
            except PlanFileError as error:
                raise CommandError(
                    f"{run.path}: {error} Nothing was imported."
                ) from None
            except OSError as error:
                raise CommandError(f"{run.path}: {error.strerror or error}.") from None
        if report is not None:
            write_report(result, report)
        self._print(result, int(options["verbosity"]))
        if result.refused:
            raise CommandError(f"{result.refused} row(s) refused; see above.")

    def _print(self, result: ImportResult, verbosity: int) -> None:
        if verbosity == 0:
            return
        for row in result.rows:
            if row.outcome == REFUSED or verbosity > 1:
                detail = "; ".join(row.reasons)
                self.stdout.write(
                    f"  line {row.line} {row.external_id or '-'}: {row.outcome}"
                    + (f" ({detail})" if detail and row.outcome != REFUSED else "")
                )
                if row.outcome == REFUSED:
                    for reason in row.reasons:
                        self.stdout.write(f"    {reason}")
        self.stdout.write(summary_line(result))


def _workspace(slug: str) -> Workspace:
    try:
        return Workspace.objects.get(slug=slug)
    except Workspace.DoesNotExist as error:
        raise CommandError(f"No workspace with slug {slug!r}.") from error


def _user(username: str) -> Any:
    model = get_user_model()
    try:
        return model.objects.get(**{model.USERNAME_FIELD: username})
    except model.DoesNotExist as error:
        raise CommandError(f"No user {username!r}.") from error
