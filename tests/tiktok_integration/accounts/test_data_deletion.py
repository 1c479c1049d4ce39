"""Deleting a disconnected account's stored TikTok data, by staff action or
command, and saying what was deleted."""

from __future__ import annotations

from io import StringIO
from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories.tiktok import (
    TikTokAccountFactory,
    TikTokVideoFactory,
    VideoSnapshotFactory,
)
from tiktok_integration.models import (
    AccountSnapshot,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
    WebhookEvent,
)
from tiktok_integration.services.data_deletion import tiktok_account_delete_data

pytestmark = pytest.mark.django_db


def disconnected_account() -> TikTokAccount:
    account = cast(
        TikTokAccount,
        TikTokAccountFactory(
            status=TikTokAccount.Status.DISCONNECTED,
            follower_count=10,
            creator_info={"creator_nickname": "N"},
        ),
    )
    for n in range(2):
        WebhookEvent.objects.create(
            dedup_key=f"k{n}",
            event="post.publish.complete",
            user_openid=account.open_id,
            create_time=timezone.now(),
        )
    WebhookEvent.objects.create(
        dedup_key="other",
        event="x",
        user_openid="someone-else",
        create_time=timezone.now(),
    )
    VideoSnapshotFactory.create_batch(3, video=TikTokVideoFactory(account=account))
    AccountSnapshot.objects.create(
        account=account,
        taken_at=timezone.now(),
        follower_count=10,
        following_count=1,
        likes_count=5,
        video_count=1,
    )
    VideoSnapshotFactory()  # another account's video keeps its metrics
    return account


def test_the_service_deletes_profile_tokens_creator_info_and_events():
    account = disconnected_account()
    deleted = tiktok_account_delete_data(account_id=account.pk)
    account.refresh_from_db()
    assert deleted == {
        "profile": 1,
        "tokens": 1,
        "creator info": 1,
        "webhook events": 2,
        "video metrics": 3,
        "videos": 1,
        "profile metrics": 1,
        "analytics sync state": 0,
    }
    assert not TikTokVideo.objects.filter(account=account).exists()
    assert VideoSnapshot.objects.count() == 1
    assert account.access_token is None and account.refresh_token is None
    assert account.username == "" and account.follower_count is None
    assert account.creator_info == {}
    assert list(WebhookEvent.objects.values_list("user_openid", flat=True)) == [
        "someone-else"
    ]
    again = tiktok_account_delete_data(account_id=account.pk)
    assert set(again.values()) == {0}


def test_the_command_says_what_it_deleted_and_refuses_connected_accounts():
    account = disconnected_account()
    connected = TikTokAccountFactory()
    out = StringIO()
    call_command("tiktok_delete_account_data", account.open_id, stdout=out)
    assert "profile, tokens, creator info, 2 webhook events" in out.getvalue()
    with pytest.raises(CommandError, match="still connected"):
        call_command("tiktok_delete_account_data", str(connected.pk))
    connected.refresh_from_db()
    assert connected.access_token is not None


def test_the_staff_action_reports_per_account(admin_client):
    account = disconnected_account()
    connected = TikTokAccountFactory()
    response = admin_client.post(
        "/admin/tiktok_integration/tiktokaccount/",
        {
            "action": "delete_stored_data",
            "_selected_action": [account.pk, connected.pk],
        },
        follow=True,
    )
    text = response.content.decode()
    assert "deleted profile, tokens, creator info, 2 webhook events" in text
    assert "still connected" in text
