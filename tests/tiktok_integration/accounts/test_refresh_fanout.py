"""The token refresh sweep at scale (issue 17): beat's sweep sends one message
per due account instead of refreshing them one after another in one task, a
message for an account that is fresh by the time it runs does nothing, and a
sweep does not send an account again while its message is still queued (2 to
4 copies of each refresh filled a lagging queue in bench/bench_scale.py)
unless the refresh failed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.tiktok_integration.accounts.test_lifecycle_sandbox import connect
from tiktok_integration import tasks
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.tokens import tiktok_account_refresh_if_expiring
from tiktok_sandbox.models import Endpoint, SandboxFault
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import sandbox_fault_add


def test_the_sweep_sends_one_message_per_due_account_and_refreshes_none_itself(
    member, client, public_creator, private_creator, monkeypatch
):
    # given two connected accounts, one expiring in 20 minutes, one in 3 hours
    connect(client, member.workspace, public_creator)
    connect(client, member.workspace, private_creator)
    soon, later = TikTokAccount.objects.order_by("pk")
    now = timezone.now()
    TikTokAccount.objects.filter(pk=soon.pk).update(
        access_token_expires_at=now + timedelta(minutes=20)
    )
    TikTokAccount.objects.filter(pk=later.pk).update(
        access_token_expires_at=now + timedelta(hours=3)
    )
    sent: list[int] = []
    monkeypatch.setattr(
        tasks,
        "enqueue_refresh_account_token",
        lambda *, account_id: sent.append(account_id),
    )
    refreshes_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)

    # when beat's sweep runs
    assert tasks.refresh_expiring_tokens_task() == 1

    # then one message went out, for the expiring account, and TikTok was not called
    assert sent == [soon.pk]
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes_before
    soon.refresh_from_db()
    assert soon.token_version == 1


def test_a_second_message_for_the_same_account_refreshes_nothing(
    member, client, public_creator
):
    # given an account expiring in 20 minutes, for which two sweeps sent a message
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=20)
    )

    # when both messages run
    first = tiktok_account_refresh_if_expiring(account_id=account.pk)
    second = tiktok_account_refresh_if_expiring(account_id=account.pk)

    # then the tokens rotated once
    account.refresh_from_db()
    assert (first, second) == (True, False)
    assert account.token_version == 2


def _sweep(monkeypatch, **kwargs) -> list[int]:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    monkeypatch.setattr(
        tasks,
        "enqueue_refresh_account_token",
        lambda *, account_id: sent.append(account_id),
    )
    tasks.refresh_expiring_tokens_task()
    return sent


def test_a_sweep_does_not_send_again_a_refresh_still_waiting_in_the_queue(
    member, client, public_creator, monkeypatch, settings
):
    # given an account expiring in 20 minutes, whose refresh a sweep sent
    settings.TIKTOK_TOKEN_REFRESH_RESEND_SECONDS = 600
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=20)
    )
    assert _sweep(monkeypatch) == [account.pk]

    # when the next sweeps run while the message waits in the queue
    again = _sweep(monkeypatch)

    # then they send nothing, until the resend interval has passed (a lost message)
    assert again == []
    TikTokAccount.objects.filter(pk=account.pk).update(
        refresh_sent_at=timezone.now() - timedelta(seconds=601)
    )
    assert _sweep(monkeypatch) == [account.pk]


def test_the_sweep_sends_the_tokens_closest_to_expiry_first(
    member, client, public_creator, private_creator, monkeypatch
):
    # given two accounts due for a refresh, the later-connected one expiring first
    connect(client, member.workspace, public_creator)
    connect(client, member.workspace, private_creator)
    first, second = TikTokAccount.objects.order_by("pk")
    now = timezone.now()
    TikTokAccount.objects.filter(pk=first.pk).update(
        access_token_expires_at=now + timedelta(minutes=25)
    )
    TikTokAccount.objects.filter(pk=second.pk).update(
        access_token_expires_at=now + timedelta(minutes=5)
    )

    # when the sweep runs, then the one expiring first is sent first
    assert _sweep(monkeypatch) == [second.pk, first.pk]


def test_a_refresh_that_failed_is_sent_again_by_the_next_sweep(
    member, client, public_creator, monkeypatch
):
    # given an account whose refresh was sent, and TikTok failing it once
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() + timedelta(minutes=20)
    )
    assert _sweep(monkeypatch) == [account.pk]
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.RESPOND,
        http_status=503,
        remaining=1,
    )
    assert tiktok_account_refresh_if_expiring(account_id=account.pk) is False

    # when the next sweep runs, then it sends the account again, and it refreshes
    assert _sweep(monkeypatch) == [account.pk]
    assert tiktok_account_refresh_if_expiring(account_id=account.pk) is True
    account.refresh_from_db()
    assert account.token_version == 2
