from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tiktok_integration.encryption import (
    EncryptedTextField,
    SealedSecret,
    TokenDecryptionError,
    get_cipher,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored token under the first key in FIELD_ENCRYPTION_KEYS. "
        "Add the new key first in the list, run this, then remove the old key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        cipher = get_cipher()
        rotated = unchanged = 0
        failures: list[str] = []
        for model in apps.get_models():
            fields = [
                field
                for field in model._meta.concrete_fields
                if isinstance(field, EncryptedTextField)
            ]
            if not fields:
                continue
            columns = [field.attname for field in fields]
            pks = list(model._default_manager.values_list("pk", flat=True))
            for start in range(0, len(pks), batch_size):
                with transaction.atomic():
                    rows = (
                        model._default_manager.select_for_update()
                        .filter(pk__in=pks[start : start + batch_size])
                        .only("pk", *columns)
                    )
                    for row in rows:
                        changed: list[str] = []
                        for column in columns:
                            sealed = getattr(row, column)
                            if sealed is None:
                                continue
                            stored = sealed.ciphertext()
                            if cipher.key_id_of(stored) == cipher.primary_key_id:
                                continue
                            try:
                                setattr(
                                    row,
                                    column,
                                    SealedSecret(ciphertext=cipher.rotate(stored)),
                                )
                            except TokenDecryptionError as error:
                                failures.append(
                                    f"{model._meta.label} {row.pk} {column}: {error}"
                                )
                                continue
                            changed.append(column)
                        if changed:
                            row.save(update_fields=changed)
                            rotated += 1
                        else:
                            unchanged += 1
        self.stdout.write(f"Rotated {rotated} rows; {unchanged} already current.")
        if failures:
            raise CommandError(
                "Some secrets could not be decrypted and were left as they are:\n"
                + "\n".join(failures)
            )
