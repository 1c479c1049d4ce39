from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories.tiktok import TikTokAccountFactory
from tiktok_integration.encryption import TokenDecryptionError, key_id
from tiktok_integration.models import TikTokAccount

pytestmark = pytest.mark.django_db


def raw_column(account: TikTokAccount, column: str) -> str:
    table = TikTokAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [account.pk])
        return str(cursor.fetchone()[0])


def test_tokens_are_stored_encrypted_and_read_back():
    # given
    account = TikTokAccountFactory(
        access_token="act.plain-access", refresh_token="rft.plain-refresh"
    )
    # when
    stored = raw_column(account, "access_token")
    reloaded = TikTokAccount.objects.get(pk=account.pk)
    # then
    assert "act.plain-access" not in stored
    assert stored.startswith("v1:")
    assert "rft.plain-refresh" not in raw_column(account, "refresh_token")
    assert reloaded.access_token.reveal() == "act.plain-access"
    assert reloaded.refresh_token.reveal() == "rft.plain-refresh"


def test_token_repr_and_logs_never_show_the_value(caplog):
    # given
    account = TikTokAccountFactory(access_token="act.never-log-me")
    # when
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").debug(
            "account %r token %s", account, account.access_token
        )
    # then
    assert "act.never-log-me" not in caplog.text
    assert "act.never-log-me" not in repr(
        TikTokAccount.objects.get(pk=account.pk).__dict__
    )


def test_wrong_key_raises_instead_of_returning_ciphertext(settings):
    # given a token written under one key
    account = TikTokAccountFactory(access_token="act.secret")
    # when the installation only has an unrelated key
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    reloaded = TikTokAccount.objects.get(pk=account.pk)
    # then
    with pytest.raises(TokenDecryptionError, match="not in FIELD_ENCRYPTION_KEYS"):
        reloaded.access_token.reveal()


def test_tampered_value_raises(settings):
    # given
    account = TikTokAccountFactory(access_token="act.secret")
    stored = raw_column(account, "access_token")
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    TikTokAccount.objects.filter(pk=account.pk).update(access_token=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TikTokAccount._meta.db_table} SET access_token = %s WHERE id = %s",
            [tampered, account.pk],
        )
    # then
    with pytest.raises(TokenDecryptionError):
        TikTokAccount.objects.get(pk=account.pk).access_token.reveal()


def test_rotation_moves_every_token_to_the_new_key(settings):
    # given tokens under the old key
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    accounts = TikTokAccountFactory.create_batch(3)
    plain = {
        a.pk: (a.access_token.reveal(), a.refresh_token.reveal()) for a in accounts
    }
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    # when
    call_command("rotate_token_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    # then every row decrypts with the new key alone and carries its id
    for account in TikTokAccount.objects.all():
        assert raw_column(account, "access_token").split(":")[1] == key_id(new_key)
        assert (account.access_token.reveal(), account.refresh_token.reveal()) == plain[
            account.pk
        ]


def test_rotation_reports_rows_it_cannot_decrypt_and_leaves_them(settings):
    # given a row under a key that is no longer configured
    account = TikTokAccountFactory()
    before = raw_column(account, "access_token")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    # when / then
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_token_keys")
    assert raw_column(account, "access_token") == before
