"""Calling TikTok as an account, from the admin's job form and directly,
against the sandbox over real HTTP: one refresh on a refused token, reconnect
only when the refresh is refused, and TikTok's per-token rate limit kept."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from tests.factories.cms import schedule
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.publishing.conftest import connect, scheduled_job
from tiktok_integration.gateway import account_calls
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import PublishAttempt, PublishJob, TikTokAccount
from tiktok_integration.services.tokens import ReconnectRequiredError
from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import (
    sandbox_access_tokens_expire_all,
    sandbox_fault_add,
)
from tiktok_sandbox.services.tokens import sandbox_creator_revoke_all

ADD_URL = "admin:tiktok_integration_publishjob_add"


@pytest.fixture
def account(public_creator: SandboxCreator) -> TikTokAccount:
    return connect(public_creator)


def job_form(post_id: int, account_id: int) -> dict[str, object]:
    return {
        "post": post_id, "account": account_id, "mode": "direct",
        "source": "FILE_UPLOAD",
        "privacy_level": "SELF_ONLY", "photo_cover_index": 0,
        "attempts-TOTAL_FORMS": 0, "attempts-INITIAL_FORMS": 0,
    }  # fmt: skip


def staff_with_a_post(client, account: TikTokAccount) -> int:
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    draft = scheduled_job(account)
    post_id = schedule(draft.post, datetime(2030, 1, 1, 10, 0)).pk  # noqa: DTZ001
    draft.delete()
    return post_id


def test_job_form_refreshes_a_token_tiktok_expired_early_once_and_saves(
    account, client, public_creator
):
    # given staff with a post, and TikTok expiring the account's access token
    # early ("Expire their access tokens now" in the sandbox admin) while
    # Postdeck still thinks it has hours left
    post_id = staff_with_a_post(client, account)
    sandbox_access_tokens_expire_all(creator=public_creator)
    refreshes = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when staff add a publish job for that account
    saved = client.post(reverse(ADD_URL), job_form(post_id, account.pk))
    # then the form refreshed once, asked again, checked and saved the job
    assert saved.status_code == 302, saved.content[:3000]
    job = PublishJob.objects.get(post_id=post_id)
    assert job.status == PublishJob.Status.SCHEDULED
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes + 1
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO, http_status=401) == 1
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO, http_status=200) == 1
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert account.creator_info["nickname"] == public_creator.nickname
    # and the job page shows the creator TikTok described
    page = client.get(
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk])
    )
    assert public_creator.nickname in page.content.decode()
    # and a second job for the account needs no further refresh
    second_post = staff_with_a_post(client, account)
    assert (
        client.post(reverse(ADD_URL), job_form(second_post, account.pk)).status_code
        == 302
    )
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes + 1


def test_job_form_says_reconnect_when_tiktok_refuses_the_refresh(
    account, client, public_creator
):
    # given a creator whose grant TikTok revoked (access and refresh tokens dead)
    post_id = staff_with_a_post(client, account)
    sandbox_creator_revoke_all(creator=public_creator)
    refreshes = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when staff add a publish job for that account
    refused = client.post(reverse(ADD_URL), job_form(post_id, account.pk))
    # then the form says to reconnect, nothing is saved, the account is marked
    assert refused.status_code == 200
    assert "needs reconnecting" in refused.content.decode()
    assert not PublishJob.objects.filter(post_id=post_id).exists()
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes + 1
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert account.refresh_token is None
    # and asking again does not call TikTok at all
    client.post(reverse(ADD_URL), job_form(post_id, account.pk))
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes + 1


def test_a_token_refused_right_after_its_refresh_asks_for_reconnection(account):
    # given TikTok refusing the token on two creator_info calls in a row
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=SandboxFault.Action.RESPOND,
        http_status=401, error_code="access_token_invalid", remaining=2,
    )  # fmt: skip
    # when
    with pytest.raises(ReconnectRequiredError):
        account_calls.creator_info(account_id=account.pk)
    # then one refresh between the two refusals, and no third try
    calls = PublishAttempt.objects.filter(account=account).order_by("pk")
    assert list(calls.values_list("endpoint", "http_status")) == [
        ("creator_info", 401),
        ("oauth_token_refresh", 200),
        ("creator_info", 401),
    ]
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED


def test_a_missing_scope_is_not_refreshed_and_keeps_the_account(account):
    # given the creator did not grant video.publish (as TikTok says it: a 401)
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=SandboxFault.Action.RESPOND,
        http_status=401, error_code="scope_not_authorized",
    )  # fmt: skip
    refreshes = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when
    from tiktok_integration.services.accounts import tiktok_account_check_creator_info

    rules = tiktok_account_check_creator_info(account_id=account.pk)
    # then posting is blocked with the reason, and nothing else changed
    assert not rules.can_post
    assert "video.publish" in rules.blocked_reason
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE


def test_creator_info_keeps_to_20_calls_a_minute_per_token(
    account, private_creator, settings
):
    # given the account used its 20 creator_info calls of this minute
    for _ in range(20):
        account_calls.creator_info(account_id=account.pk, max_wait_seconds=0)
    # when it asks a 21st time
    with pytest.raises(ComeBackLaterError) as wait:
        account_calls.creator_info(account_id=account.pk, max_wait_seconds=0)
    # then it is told when to come back, and TikTok never saw the call
    assert 0 < wait.value.delay <= settings.TIKTOK_RATE_WINDOW_SECONDS
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO) == 20
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO, http_status=429) == 0
    # and another account's token has its own window
    other = connect(private_creator, workspace=account.workspace)
    info = account_calls.creator_info(account_id=other.pk, max_wait_seconds=0)
    assert info.username == private_creator.username


def test_recheck_now_refreshes_an_early_expired_token_once(
    account, client, public_creator
):
    # given a manager of the account's workspace, and TikTok expiring the
    # account's access token early
    manager = MembershipFactory(workspace=account.workspace, role="manager").user
    client.force_login(manager)
    sandbox_access_tokens_expire_all(creator=public_creator)
    refreshes = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when they press "Re-check now"
    url = reverse("admin:tiktok_integration_tiktokaccount_recheck", args=[account.pk])
    page = client.post(url, follow=True)
    # then TikTok's answer is shown, after one refresh, for creator info and profile
    assert "TikTok says this account can post now." in page.content.decode()
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == refreshes + 1
    assert sandbox_call_count(endpoint=Endpoint.USER_INFO, http_status=200) == 1
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert account.display_name == public_creator.nickname
