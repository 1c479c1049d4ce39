"""Ten threads and two processes refresh one expired account at the same moment.

Runs on PostgreSQL only: SQLite has no row locks, so the single-flight guarantee
this proves (one refresh call, everyone gets the new token) is PostgreSQL's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from tiktok_integration.models import PublishAttempt, TikTokAccount
from tiktok_integration.services.tokens import tiktok_account_access_token
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count

from .test_lifecycle_sandbox import connect

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import sys, time, django
django.setup()
from tiktok_integration.services.tokens import tiktok_account_access_token
start_at = float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
print(tiktok_account_access_token(account_id=int(sys.argv[1])).value)
"""


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_one_refresh_for_ten_threads_and_two_processes(
    member, client, public_creator, sandbox, tmp_path
):
    # given a connected account whose access token has just expired
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    version_before = account.token_version
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    start_at = time.time() + 4
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("DJANGO_", "TEST_", "DATABASE_URL", "POSTDECK_", "TIKTOK_")
            )
        },
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_SECRET_KEY": "concurrency-" + "k" * 40,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "DATABASE_URL": database_url(),
        "POSTDECK_BASE_URL": sandbox.url,
        "POSTDECK_VAR_DIR": str(tmp_path),
    }
    # when two processes and ten threads all ask at the same instant
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(account.pk), str(start_at)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    tokens: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            time.sleep(max(0.0, start_at - time.time()))
            tokens.append(tiktok_account_access_token(account_id=account.pk).value)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    outputs = [process.communicate(timeout=60) for process in processes]
    # then
    assert not errors, errors
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    tokens += [out.strip().splitlines()[-1] for out, _ in outputs]
    account.refresh_from_db()
    assert len(tokens) == 12
    assert set(tokens) == {account.access_token.reveal()}
    assert account.token_version == version_before + 1
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before + 1
    assert (
        PublishAttempt.objects.filter(
            account=account, endpoint="oauth_token_refresh"
        ).count()
        == 1
    )
