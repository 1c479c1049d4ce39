"""Delete a disconnected TikTok account's stored data and say what went."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.data_deletion import (
    AccountStillConnectedError,
    deletion_summary,
    tiktok_account_delete_data,
)


class Command(BaseCommand):
    help = (
        "Delete the stored TikTok data (profile, tokens, creator info, TikTok's "
        "notifications, statistics) of a disconnected account, by id or open id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("account", help="The account's id or TikTok open id.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = str(options["account"])
        account = TikTokAccount.objects.filter(open_id=key).first()
        if account is None and key.isdigit():
            account = TikTokAccount.objects.filter(pk=int(key)).first()
        if account is None:
            raise CommandError(f"No TikTok account with id or open id {key!r}.")
        try:
            deleted = tiktok_account_delete_data(account_id=account.pk)
        except AccountStillConnectedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Account {account.pk} ({account.open_id}): deleted "
            f"{deletion_summary(deleted)}."
        )
