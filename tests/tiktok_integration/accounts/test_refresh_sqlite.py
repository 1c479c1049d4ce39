"""Single-flight token refresh on SQLite, the default deployment's database.

Four processes force a refresh of one account at the same moment on one SQLite
file, against the sandbox served over HTTP by its own processes: one refresh
reaches TikTok and every process gets the rotated token. Refresh tokens rotate
(the old one dies when used), so a second refresh with the same token would be
refused and strand the account (docs/reliability.md §8).

Two in-process tests pin the fences the race above rarely reaches: a refresh
that outlived its lease while staff reconnected the account must not overwrite
the reconnected tokens, and a worker whose read of the account predates
another worker's refresh must not refresh again with the spent token.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from tests.tiktok_integration.publishing.workers import (
    Processes,
    base_env,
    free_port,
    start_sandbox,
)
from tiktok_integration.client import TikTokTransientError
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services import tokens
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    tiktok_account_access_token,
    tiktok_account_mark_reauth_required,
)
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count

from .test_lifecycle_sandbox import connect

ROOT = Path(__file__).resolve().parents[3]
REFRESHERS = 4
# Long enough that every refresher has read the account and tried to take the
# refresh lease before the first refresh is saved.
TIKTOK_DELAY_SECONDS = 2.5

SETUP = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from tests.tiktok_sandbox.server import ALL_SCOPES
from tiktok_integration.models import TikTokAccount
from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault
from tiktok_sandbox.services import (
    sandbox_ensure_defaults, sandbox_fault_add, sandbox_tokens_issue,
)
from workspaces.models import Workspace
sandbox_ensure_defaults()
creator = SandboxCreator.objects.get(username="sandbox.public")
issued = sandbox_tokens_issue(creator=creator, scopes=ALL_SCOPES)
now = timezone.now()
account = TikTokAccount.objects.create(
    workspace=Workspace.objects.create(name="Brand", slug="brand"),
    open_id=creator.open_id,
    username=creator.username,
    access_token=issued.access_token,
    refresh_token=issued.refresh_token,
    access_token_expires_at=now + timedelta(hours=1),
    refresh_token_expires_at=now + timedelta(days=180),
    granted_scopes=list(ALL_SCOPES),
)
sandbox_fault_add(
    endpoint=Endpoint.OAUTH_TOKEN, action=SandboxFault.Action.DELAY,
    delay_seconds=float(__import__("sys").argv[1]), remaining=None,
)
print(account.pk)
"""

REFRESHER = """
import json, sys, time, django
django.setup()
from tiktok_integration.services.tokens import tiktok_account_access_token
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count
account_id, go = int(sys.argv[1]), __import__("pathlib").Path(sys.argv[2])
# Loaded and ready: wait for the others, however slow this machine is.
print("ready", flush=True)
while not go.exists():
    time.sleep(0.01)
try:
    token = tiktok_account_access_token(account_id=account_id, force_refresh=True)
    print(json.dumps({"token": token.value, "version": token.version}))
except Exception as error:
    print(json.dumps({"error": repr(error)}))
"""

REPORT = """
import json, sys, django
django.setup()
from tiktok_integration.models import PublishAttempt, TikTokAccount
from tiktok_sandbox.models import Endpoint, SandboxCall
account = TikTokAccount.objects.get(pk=int(sys.argv[1]))
calls = SandboxCall.objects.filter(endpoint=Endpoint.OAUTH_TOKEN)
print(json.dumps({
    "status": account.status,
    "token": account.access_token.reveal() if account.access_token else None,
    "version": account.token_version,
    "calls": list(calls.values_list("http_status", "error_code")),
    "attempts": PublishAttempt.objects.filter(
        account=account, endpoint="oauth_token_refresh"
    ).count(),
}))
"""


def run_script(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def sqlite_stack(tmp_path: Path) -> Any:
    """A migrated SQLite file shared by the sandbox (gunicorn) and the test's
    processes, all with production settings."""
    port = free_port()
    env = base_env(
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        broker_url="memory://",
        base_url=f"http://127.0.0.1:{port}",
        secret_key="refresh-" + secrets.token_hex(24),
        encryption_keys=list(settings.FIELD_ENCRYPTION_KEYS),
    )
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    processes = Processes(env=env, logs=tmp_path)
    try:
        start_sandbox(processes, port, workers=REFRESHERS)
        yield env, processes
    finally:
        processes.stop_all()


@pytest.mark.sqlite_only
def test_four_processes_forcing_a_refresh_on_sqlite_make_one_refresh(
    sqlite_stack, tmp_path
):
    env, processes = sqlite_stack
    # given an account on the shared file and a TikTok slow to answer refreshes
    account_id = run_script(env, SETUP, str(TIKTOK_DELAY_SECONDS))
    go = tmp_path / "go"
    # when four processes (beat sweeps, workers) force a refresh at once:
    # started together only once all four have loaded Django (a process that
    # arrived after the first refresh was saved would rightly force another)
    refreshers = [
        subprocess.Popen(
            [sys.executable, "-c", REFRESHER, account_id, str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REFRESHERS)
    ]
    for refresher in refreshers:
        assert refresher.stdout is not None
        assert refresher.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [refresher.communicate(timeout=120) for refresher in refreshers]
    # then
    assert [r.returncode for r in refreshers] == [0] * REFRESHERS, [
        err[-2000:] for _, err in outputs
    ]
    answers = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    report = json.loads(run_script(env, REPORT, account_id))
    assert [a.get("error") for a in answers] == [None] * REFRESHERS, (
        answers,
        processes.logs_tail(),
    )
    # one refresh reached TikTok and was accepted: no refresh token spent twice
    assert report["calls"] == [[200, ""]]
    assert report["attempts"] == 1
    assert report["status"] == TikTokAccount.Status.ACTIVE
    # every process uses the one rotated token
    assert {a["token"] for a in answers} == {report["token"]}
    assert report["version"] == 1


def test_a_refresh_that_outlived_its_lease_does_not_undo_a_reconnect(
    member, client, public_creator, monkeypatch
):
    # given a connected account
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    real_refresh = tokens._refresh_with_one_retry
    reconnected: list[TikTokAccount] = []

    def slow_refresh(stale: TikTokAccount) -> Any:
        # TikTok answers this refresh; before the worker saves it, its lease
        # has run out and staff reconnected the account.
        grant = real_refresh(stale)
        connect(client, member.workspace, public_creator)
        reconnected.append(TikTokAccount.objects.get(pk=stale.pk))
        return grant

    monkeypatch.setattr(tokens, "_refresh_with_one_retry", slow_refresh)
    # when the worker finishes its refresh
    tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then the account keeps what the reconnect stored
    account.refresh_from_db()
    after = reconnected[0]
    assert account.token_version == after.token_version
    assert account.access_token.reveal() == after.access_token.reveal()
    assert account.refresh_token.reveal() == after.refresh_token.reveal()
    assert account.granted_scopes == after.granted_scopes


def test_a_refresh_landing_just_before_the_claim_is_used_not_repeated(
    member, client, public_creator, monkeypatch
):
    # given a connected account, and worker B that has read it (token version
    # v) and is about to take the refresh lease
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    real_claim = tokens._claim_refresh
    other_worker: list[str] = []

    def claim_after_another_refresh(**kwargs: Any) -> bool:
        if not other_worker:
            # Worker A's whole refresh lands in between: version v+1 now.
            other_worker.append("running")
            other_worker[0] = tiktok_account_access_token(
                account_id=account.pk, force_refresh=True
            ).value
        return real_claim(**kwargs)

    monkeypatch.setattr(tokens, "_claim_refresh", claim_after_another_refresh)
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when B goes on
    token = tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then B uses A's token; its stale refresh token was never sent again
    account.refresh_from_db()
    assert token.value == other_worker[0] == account.access_token.reveal()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before + 1


class FakeClock:
    """Stands in for ``time`` in the token service: waiting costs nothing, and
    ``on_wait`` runs at the first wait (what another worker does meanwhile)."""

    def __init__(self, on_wait: Any = None) -> None:
        self.now = time.monotonic()
        self.waits = 0
        self.on_wait = on_wait

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits += 1
        self.now += seconds * 100  # each wait stands for a long one
        if self.waits == 1 and self.on_wait is not None:
            self.on_wait()


def test_a_caller_finding_the_refresh_lease_taken_waits_for_the_holders_token(
    member, client, public_creator, monkeypatch
):
    # given worker A holds the refresh lease and is talking to TikTok
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        refresh_lease_until=timezone.now() + timedelta(seconds=60)
    )
    holder_token: list[str] = []

    def holder_finishes() -> None:
        holder_token.append(
            tokens._refresh_as_lease_holder(
                account=TikTokAccount.objects.get(pk=account.pk),
                token_version=account.token_version,
            )
        )

    clock = FakeClock(on_wait=holder_finishes)
    monkeypatch.setattr(tokens, "time", clock)
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when worker B needs a refresh too
    token = tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then B waited and uses A's token: one refresh reached TikTok
    assert clock.waits >= 1
    assert token.value == holder_token[0]
    assert token.is_new and token.version == account.token_version + 1
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before + 1


def test_a_caller_gives_up_for_now_while_a_refresh_never_finishes(
    member, client, public_creator, monkeypatch
):
    # given a connected account and worker A inside its refresh
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    real_refresh = tokens._refresh_with_one_retry
    second_caller: list[Exception] = []

    def refresh_while_another_caller_asks(stale: TikTokAccount) -> Any:
        # worker B asks for a refresh while A's is under way (A seems stuck)
        try:
            tiktok_account_access_token(account_id=stale.pk, force_refresh=True)
        except TikTokTransientError as error:
            second_caller.append(error)
        return real_refresh(stale)

    monkeypatch.setattr(
        tokens, "_refresh_with_one_retry", refresh_while_another_caller_asks
    )
    monkeypatch.setattr(tokens, "time", FakeClock())
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when A finishes
    tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then B never sent the refresh token A was using (TikTok would have
    # rotated it under A): it gave up as a temporary failure, to retry later
    assert [error.code for error in second_caller] == ["refresh_in_progress"]
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before + 1
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert account.refresh_lease_until is None


def test_a_refresh_lease_left_by_a_stopped_worker_runs_out(
    member, client, public_creator, monkeypatch
):
    # given a worker died holding the refresh lease, which has run out
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        refresh_lease_until=timezone.now() - timedelta(seconds=1)
    )
    clock = FakeClock()
    monkeypatch.setattr(tokens, "time", clock)
    # when a caller needs a refresh, it refreshes at once
    token = tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    assert clock.waits == 0
    assert token.version == account.token_version + 1


def test_an_account_marked_for_reconnection_meanwhile_is_not_refreshed(
    member, client, public_creator, monkeypatch
):
    # given a worker has read a connected account, and before it takes the
    # refresh lease the account is marked "reconnect needed" (TikTok revoked it)
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    real_claim = tokens._claim_refresh

    def claim_after_revocation(**kwargs: Any) -> bool:
        tiktok_account_mark_reauth_required(
            account_id=account.pk, reason="TikTok says the creator disconnected."
        )
        return real_claim(**kwargs)

    monkeypatch.setattr(tokens, "_claim_refresh", claim_after_revocation)
    monkeypatch.setattr(tokens, "time", FakeClock())
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when it goes on
    with pytest.raises(ReconnectRequiredError):
        tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then no refresh was sent and the account stays as staff were told
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert account.status_reason == "TikTok says the creator disconnected."
    assert account.access_token is None and account.refresh_token is None


def test_a_refused_token_another_caller_already_replaced_is_not_refreshed_again(
    member, client, public_creator
):
    # given a connected account whose token another worker has since rotated
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    old_version = account.token_version
    tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    refreshes = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    account.refresh_from_db()
    # when a slow worker reports that TikTok refused the old token
    token = tiktok_account_access_token(
        account_id=account.pk, refused_version=old_version
    )
    # then it gets the current token, and no refresh token is spent for it
    assert token.version == account.token_version != old_version
    assert token.value == account.access_token.reveal()
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes


def test_a_refusal_keeps_the_reason_staff_gave(member, client, public_creator):
    # given an account staff marked for reconnection, with their reason
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    tiktok_account_mark_reauth_required(
        account_id=account.pk, reason="The brand changed its password."
    )
    # when a worker asks for its token, the error carries that reason
    with pytest.raises(ReconnectRequiredError) as refused:
        tiktok_account_access_token(account_id=account.pk)
    assert refused.value.account_id == account.pk
    assert "The brand changed its password." in str(refused.value)
