"""Connect, refresh, rotate, lose a reply, disconnect: against the sandbox over HTTP."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tiktok_integration.client import TikTokReauthError, TikTokTransientError
from tiktok_integration.gateway.clients import oauth_client
from tiktok_integration.models import PublishAttempt, PublishJob, TikTokAccount
from tiktok_integration.services.accounts import tiktok_account_disconnect
from tiktok_integration.services.tokens import (
    ReconnectRequiredError,
    tiktok_account_access_token,
    tiktok_account_refresh_expiring,
)
from tiktok_sandbox.models import Endpoint, SandboxFault, SandboxToken
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import sandbox_fault_add

ALL = [
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.publish",
    "video.upload",
]


def connect(client, workspace, creator, scopes=ALL):
    """Click 'Connect', approve on the consent page, follow TikTok's redirect."""
    start = client.get(reverse("tiktok:connect"), {"workspace": workspace.pk})
    consent = urlsplit(start["Location"])
    approved = client.post(
        f"{consent.path}?{consent.query}",
        {"creator": creator.open_id, "scopes": scopes, "decision": "approve"},
    )
    assert approved.status_code == 302, approved.content
    callback = urlsplit(approved["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def messages_of(response) -> str:
    return " | ".join(str(m) for m in response.wsgi_request._messages)


def test_connect_stores_encrypted_tokens_and_the_profile(
    member, client, public_creator
):
    # when
    response = connect(client, member.workspace, public_creator)
    # then
    account = TikTokAccount.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse(
        "admin:tiktok_integration_tiktokaccount_change", args=[account.pk]
    )
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Connected @sandbox.public" in messages_of(response)
    assert account.workspace == member.workspace
    assert account.status == TikTokAccount.Status.ACTIVE
    assert sorted(account.granted_scopes) == sorted(ALL)
    assert account.username == "sandbox.public"
    assert account.display_name == public_creator.nickname
    assert account.follower_count == public_creator.follower_count
    assert account.access_token_expires_at is not None
    assert account.refresh_token_expires_at is not None
    assert account.access_token_expires_at > timezone.now() + timedelta(minutes=100)
    assert account.refresh_token_expires_at > timezone.now() + timedelta(days=170)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM tiktok_integration_tiktokaccount"
        )
        raw = " ".join(cursor.fetchone())
    assert account.access_token.reveal() not in raw
    assert account.refresh_token.reveal() not in raw


def test_partial_scopes_connect_and_say_what_will_not_work(
    member, client, public_creator
):
    # when the creator unticks stats and video list
    response = connect(
        client,
        member.workspace,
        public_creator,
        scopes=[
            "user.info.basic",
            "user.info.profile",
            "video.publish",
            "video.upload",
        ],
    )
    # then
    text = messages_of(response)
    assert (
        "did not grant user.info.stats, so follower and like counts will not work"
        in text
    )
    assert "did not grant video.list" in text
    account = TikTokAccount.objects.get()
    assert account.follower_count is None
    assert "video.list" not in account.granted_scopes


def test_no_posting_permission_is_refused_and_nothing_stored(
    member, client, public_creator
):
    response = connect(
        client,
        member.workspace,
        public_creator,
        scopes=["user.info.basic", "user.info.profile"],
    )
    assert "without permission to post" in messages_of(response)
    assert not TikTokAccount.objects.exists()


def test_reconnect_keeps_history_and_resumes_paused_posts(
    member, client, public_creator
):
    # given a connected account whose posts were paused for reconnection
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    job = PublishJobFactory(
        account=account,
        post=PostFactory(workspace=account.workspace),
        status=PublishJob.Status.PAUSED_REAUTH,
    )
    TikTokAccount.objects.filter(pk=account.pk).update(
        status=TikTokAccount.Status.REAUTH_REQUIRED
    )
    # when
    response = connect(client, member.workspace, public_creator)
    # then: the same account, on new tokens (a new token version)
    assert TikTokAccount.objects.get().pk == account.pk
    assert TikTokAccount.objects.get().token_version == 2
    assert "Reconnected" in messages_of(response)
    assert "1 paused post(s) are back on the schedule" in messages_of(response)
    job.refresh_from_db()
    assert job.status == PublishJob.Status.SCHEDULED


def test_expired_token_is_refreshed_once_and_the_old_refresh_token_dies(
    member, client, public_creator
):
    # given a connected account whose access token has run out
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    old_access, old_refresh = (
        account.access_token.reveal(),
        account.refresh_token.reveal(),
    )
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    calls_before = sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN)
    # when two callers ask for a token one after the other
    first = tiktok_account_access_token(account_id=account.pk).value
    second = tiktok_account_access_token(account_id=account.pk).value
    # then one refresh happened and both got the new token
    assert first == second != old_access
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == calls_before + 1
    account.refresh_from_db()
    assert account.token_version == 2
    assert account.refresh_token.reveal() != old_refresh
    # and TikTok (the sandbox) refuses the rotated-away refresh token
    with pytest.raises(TikTokReauthError):
        oauth_client().refresh(refresh_token=old_refresh)


def test_the_sweep_refreshes_only_tokens_about_to_expire(
    member, client, public_creator, private_creator, django_capture_on_commit_callbacks
):
    # given two connected accounts, one expiring in 20 minutes (still usable,
    # but within the sweep's window) and one in 3 hours, and one expiring now
    # whose refresh token TikTok does not know
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
    refused = TikTokAccountFactory(
        workspace=member.workspace, access_token_expires_at=now
    )
    # when the beat sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        refreshed = tiktok_account_refresh_expiring()
    # then only the expiring account got new tokens; the refused one needs a person
    assert refreshed == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    refused.refresh_from_db()
    assert soon.token_version == 2
    assert soon.access_token_expires_at is not None
    assert soon.access_token_expires_at > now + timedelta(minutes=100)
    assert later.token_version == 1
    assert refused.status == TikTokAccount.Status.REAUTH_REQUIRED


def test_a_refresh_records_the_new_connection_end_and_scopes(
    member, client, public_creator
):
    # given a connected account ending in 10 days whose access token ran out
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    before = timezone.now()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=before - timedelta(seconds=1),
        refresh_token_expires_at=before + timedelta(days=10),
        granted_scopes=["video.publish"],
    )
    # when it is refreshed, and refreshed again at once (the beat sweep)
    tiktok_account_access_token(account_id=account.pk)
    again = tiktok_account_access_token(account_id=account.pk, force_refresh=True)
    # then the second refresh did not wait for the first, and the account shows
    # TikTok's new connection end, its scopes and when it was refreshed
    assert again.version == 3
    account.refresh_from_db()
    assert account.refresh_token_expires_at is not None
    assert account.refresh_token_expires_at > before + timedelta(days=170)
    assert sorted(account.granted_scopes) == sorted(ALL)
    assert account.last_refreshed_at is not None
    assert account.last_refreshed_at >= before


def test_lost_refresh_reply_is_retried_once_then_asks_for_reconnection(
    member, client, public_creator, django_capture_on_commit_callbacks
):
    # given a connected account with a scheduled post, and TikTok rotating the
    # token but the answer never arriving
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    job = PublishJobFactory(
        account=account, post=PostFactory(workspace=account.workspace)
    )
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.DROP_AFTER_ACTING,
        remaining=1,
    )
    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ReconnectRequiredError) as refused,
    ):
        tiktok_account_access_token(account_id=account.pk)
    # then staff read why, for this account
    assert refused.value.account_id == account.pk
    assert str(refused.value) == (
        "TikTok no longer accepts this account's authorization (invalid_grant); "
        "reconnect it to keep publishing."
    )
    # and there was one retry with the old token (refused as invalid_grant), no loop
    refreshes = PublishAttempt.objects.filter(
        account=account, endpoint="oauth_token_refresh"
    )
    assert list(refreshes.order_by("pk").values_list("error_class", "tiktok_code")) == [
        ("TikTokAmbiguousError", "response_lost"),
        ("TikTokReauthError", "invalid_grant"),
    ]
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert account.access_token is None and account.refresh_token is None
    job.refresh_from_db()
    assert job.status == PublishJob.Status.PAUSED_REAUTH
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    # and later callers fail fast without calling TikTok
    with pytest.raises(ReconnectRequiredError):
        tiktok_account_access_token(account_id=account.pk)
    assert refreshes.count() == 2


def test_tiktok_down_during_a_refresh_lets_the_next_caller_refresh(
    member, client, public_creator
):
    # given a connected account whose token ran out, and TikTok failing once
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.RESPOND,
        http_status=503,
        remaining=1,
    )
    with pytest.raises(TikTokTransientError):
        tiktok_account_access_token(account_id=account.pk)
    # when the next caller asks, TikTok being back
    token = tiktok_account_access_token(account_id=account.pk)
    # then it refreshes at once instead of waiting for the failed caller
    assert (token.version, token.is_new) == (2, True)
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE


def test_two_lost_refresh_replies_ask_for_reconnection_to_be_safe(
    member, client, public_creator
):
    # given a connected account whose token ran out, and no answer twice
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sandbox_fault_add(
        endpoint=Endpoint.OAUTH_TOKEN,
        action=SandboxFault.Action.DROP_BEFORE_ACTING,
        remaining=2,
    )
    # when / then
    with pytest.raises(ReconnectRequiredError) as refused:
        tiktok_account_access_token(account_id=account.pk)
    assert (refused.value.account_id, str(refused.value)) == (
        account.pk,
        "Refreshing the TikTok authorization failed twice without an answer; "
        "reconnect the account to be safe.",
    )
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED


def test_an_account_tiktok_refuses_to_refresh_says_so(sandbox, member):
    # given an account whose refresh token TikTok does not know
    account = TikTokAccountFactory(
        workspace=member.workspace, access_token_expires_at=timezone.now()
    )
    # when / then
    with pytest.raises(ReconnectRequiredError) as refused:
        tiktok_account_access_token(account_id=account.pk)
    assert refused.value.account_id == account.pk
    assert str(refused.value) == (
        "TikTok no longer accepts this account's authorization (invalid_grant); "
        "reconnect it to keep publishing."
    )


def test_an_account_without_a_refresh_token_must_be_reconnected(db):
    account = TikTokAccountFactory(
        refresh_token=None, access_token_expires_at=timezone.now()
    )
    with pytest.raises(ReconnectRequiredError) as refused:
        tiktok_account_access_token(account_id=account.pk)
    assert (refused.value.account_id, str(refused.value)) == (
        account.pk,
        "TikTok did not give a refresh token; reconnect the account.",
    )
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED


def test_disconnect_revokes_at_tiktok_and_keeps_history(member, client, public_creator):
    # given
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    job = PublishJobFactory(
        account=account, post=PostFactory(workspace=account.workspace)
    )
    # when
    note = tiktok_account_disconnect(account_id=account.pk)
    # then
    assert note == "Disconnected; TikTok revoked Postdeck's access."
    assert not SandboxToken.objects.filter(
        creator=public_creator, revoked_at__isnull=True
    ).exists()
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.DISCONNECTED
    assert account.access_token is None
    assert PublishJob.objects.get(pk=job.pk).status == PublishJob.Status.PAUSED_REAUTH


def test_no_token_reaches_the_logs_at_debug(member, client, public_creator, caplog):
    # given every logger at DEBUG, urllib3 included
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    seen: list[str] = []
    # when a whole lifecycle runs: connect, refresh, disconnect
    connect(client, member.workspace, public_creator)
    account = TikTokAccount.objects.get()
    seen += [account.access_token.reveal(), account.refresh_token.reveal()]
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token_expires_at=timezone.now()
    )
    tiktok_account_access_token(account_id=account.pk)
    account.refresh_from_db()
    seen += [account.access_token.reveal(), account.refresh_token.reveal()]
    tiktok_account_disconnect(account_id=account.pk)
    # then
    from django.conf import settings

    assert caplog.records, "the lifecycle should have logged something"
    for secret in [*seen, settings.TIKTOK_CLIENT_SECRET]:
        assert secret not in caplog.text


def test_upload_only_connect_says_drafts_still_work(member, client, public_creator):
    # given a creator who grants video.upload but not video.publish
    response = connect(
        client,
        member.workspace,
        public_creator,
        scopes=["user.info.basic", "user.info.profile", "video.upload"],
    )
    # then connect says what does not work, and that drafts do
    text = messages_of(response)
    assert "did not grant video.publish, so posting directly" in text
    assert "Drafts sent to the creator's TikTok inbox work (video.upload)." in text
    account = TikTokAccount.objects.get()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert account.granted_scopes == [
        "user.info.basic",
        "user.info.profile",
        "video.upload",
    ]
