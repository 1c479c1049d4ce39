from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from media_library.importing import (
    DUPLICATE,
    IMPORTED,
    REFUSED,
    ImportOutcome,
    collect_sources,
    import_media_batch,
)
from media_library.selectors import media_asset_ids_by_sha256
from workspaces.models import Workspace

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import videos and photos from files, folders or https URLs into a "
        "workspace's media library. Every file is probed before it is stored; "
        "files already in the workspace (same SHA-256) are skipped, unreadable or "
        "hostile ones refused with a reason, and the rest of the batch goes on. "
        "Exits with status 1 when any file was refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "sources", nargs="+", metavar="PATH_OR_URL", help="Files, folders, URLs."
        )
        parser.add_argument(
            "--workspace", required=True, help="Slug of the workspace to import into."
        )
        parser.add_argument(
            "--glob",
            action="append",
            default=[],
            dest="globs",
            help="Only files matching this pattern, e.g. '*.mp4' (repeatable). "
            "Patterns with '/' match the path inside the folder.",
        )
        parser.add_argument(
            "--recursive", action="store_true", help="Descend into sub-folders."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Probe and report, but store nothing.",
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="Write a JSON report of imported, duplicate and refused files.",
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            dest="tags",
            help="Tag every imported file (repeatable).",
        )
        parser.add_argument("--user", help="Username recorded as the uploader.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Files probed in parallel (default MEDIA_IMPORT_JOBS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self._workspace(options["workspace"])
        uploaded_by = self._user(options["user"])
        sources = collect_sources(
            options["sources"], globs=options["globs"], recursive=options["recursive"]
        )
        verbosity = int(options["verbosity"])
        progress = _ProgressBar(
            sys.stderr, total=len(sources), enabled=verbosity > 0 and _is_tty()
        )

        def on_outcome(outcome: ImportOutcome) -> None:
            progress.advance(outcome)
            if verbosity > 1:
                self.stdout.write(_line(outcome))

        started_at = timezone.now()
        outcomes = import_media_batch(
            workspace_id=workspace.pk,
            sources=sources,
            known=media_asset_ids_by_sha256(workspace_id=workspace.pk),
            uploaded_by=uploaded_by,
            tags=options["tags"],
            dry_run=options["dry_run"],
            jobs=options["jobs"] or settings.MEDIA_IMPORT_JOBS,
            on_outcome=on_outcome,
        )
        progress.finish()
        counts = Counter(outcome.status for outcome in outcomes)
        if options["report"] is not None:
            report = {
                "workspace": workspace.slug,
                "dry_run": options["dry_run"],
                "started_at": started_at.isoformat(),
                "finished_at": timezone.now().isoformat(),
                "summary": {
                    "imported": counts[IMPORTED],
                    "duplicates": counts[DUPLICATE],
                    "refused": counts[REFUSED],
                },
                "imported": _rows(outcomes, IMPORTED),
                "duplicates": _rows(outcomes, DUPLICATE),
                "refused": _rows(outcomes, REFUSED),
            }
            options["report"].write_text(json.dumps(report, indent=2) + "\n")
        if verbosity > 0:
            verb = "Would import" if options["dry_run"] else "Imported"
            self.stdout.write(
                f"{verb} {counts[IMPORTED]}, skipped {counts[DUPLICATE]} already in "
                f"the library, refused {counts[REFUSED]} "
                f"(workspace {workspace.slug})."
            )
            if verbosity == 1:
                for outcome in outcomes:
                    if outcome.status == REFUSED:
                        self.stdout.write(_line(outcome))
        if counts[REFUSED]:
            raise CommandError(f"{counts[REFUSED]} file(s) refused; see above.")

    def _workspace(self, slug: str) -> Workspace:
        try:
            return Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist as error:
            raise CommandError(f"No workspace with slug {slug!r}.") from error

    def _user(self, username: str | None) -> Any:
        if username is None:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error


def _rows(outcomes: list[ImportOutcome], status: str) -> list[dict[str, Any]]:
    return [outcome.as_report_row() for outcome in outcomes if outcome.status == status]


def _line(outcome: ImportOutcome) -> str:
    if outcome.status == REFUSED:
        return f"  refused  {outcome.source}: {outcome.reason}"
    if outcome.status == DUPLICATE:
        return f"  skipped  {outcome.source} (already asset {outcome.asset_id})"
    ready = "TikTok-ready" if outcome.is_tiktok_ready else "not TikTok-ready"
    return f"  imported {outcome.source} ({ready})"


def _is_tty() -> bool:
    return sys.stderr.isatty()


class _ProgressBar:
    """A one-line bar on a terminal; nothing at all when output is not a TTY."""

    def __init__(self, stream: TextIO, *, total: int, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled and total > 0
        self.done = 0
        self.counts: Counter[str] = Counter()

    def advance(self, outcome: ImportOutcome) -> None:
        self.done += 1
        self.counts[outcome.status] += 1
        if not self.enabled:
            return
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] {self.done}/{self.total}  imported {self.counts[IMPORTED]}  "
            f"skipped {self.counts[DUPLICATE]}  refused {self.counts[REFUSED]}"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
