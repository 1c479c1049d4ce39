"""manage.py sync_tiktok: sync analytics now, in this process."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from tiktok_integration.analytics.sync import analytics_account_sync
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import TikTokAccount

#: A command may wait out a full Display window (§6) rather than stop.
COMMAND_SLEEP_AT_MOST_SECONDS = 65.0


def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--since takes a date like 2026-01-31; got {value!r}."
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Sync TikTok analytics now: profile counts and video metrics of the connected "
        "accounts (all, or those named with --account), through the same rate limits "
        "as the workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account",
            action="append",
            default=[],
            help="@username, open id or id of an account; repeatable. Default: all.",
        )
        parser.add_argument(
            "--since",
            type=_date,
            default=None,
            help="List videos back to this date (ISO, UTC if no offset).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Page through every video even when the newest are already known.",
        )

    def handle(
        self,
        *args: Any,
        account: list[str],
        since: datetime | None,
        full: bool,
        **_: Any,
    ) -> None:
        accounts = TikTokAccount.objects.filter(status=TikTokAccount.Status.ACTIVE)
        if account:
            wanted = Q()
            for name in account:
                wanted |= Q(username=name.lstrip("@")) | Q(open_id=name)
                if name.isdigit():
                    wanted |= Q(pk=int(name))
            accounts = accounts.filter(wanted)
            if not accounts.exists():
                raise CommandError(
                    f"No connected account matches {', '.join(account)}."
                )
        total_calls = 0
        for row in accounts.order_by("pk"):
            try:
                result = analytics_account_sync(
                    account_id=row.pk,
                    since=since,
                    full=full or since is not None,
                    max_wait_seconds=COMMAND_SLEEP_AT_MOST_SECONDS,
                )
            except ComeBackLaterError as error:
                self.stderr.write(
                    f"{row}: {error.reason} Try again in {error.delay:.0f} s."
                )
                continue
            total_calls += result.api_calls
            if result.skipped_reason:
                self.stdout.write(f"{row}: skipped: {result.skipped_reason}")
            else:
                self.stdout.write(
                    f"{row}: {result.videos_seen} videos, {result.snapshots} "
                    f"snapshots, {result.links} new links, {result.api_calls} API "
                    "calls."
                )
        self.stdout.write(f"Done: {total_calls} Display API calls.")
