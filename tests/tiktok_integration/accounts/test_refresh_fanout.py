"""The token refresh sweep at scale (issue 17): beat's sweep sends one message
per due account instead of refreshing them one after another in one task, and a
message for an account that is fresh by the time it runs does nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.tiktok_integration.accounts.test_lifecycle_sandbox import connect
from tiktok_integration import tasks
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.tokens import tiktok_account_refresh_if_expiring
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count


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
