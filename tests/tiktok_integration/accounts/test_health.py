"""What staff see about an account's health, and the reminders they get."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.tokens import (
    tiktok_account_mark_reauth_required,
    tiktok_account_send_expiry_reminders,
)

pytestmark = pytest.mark.django_db


def test_account_page_shows_health_and_creator_info_but_no_token(admin_client):
    # given an account that published twice today and looks unaudited
    account = TikTokAccountFactory(
        access_token="act.must-not-show",
        granted_scopes=["user.info.basic", "video.publish"],
        creator_info={
            "nickname": "Ada Lovelace", "username": "ada", "avatar_url": "",
            "privacy_level_options": ["SELF_ONLY"], "comment_disabled": True,
            "duet_disabled": False, "stitch_disabled": False,
            "max_video_post_duration_sec": 60, "can_post": True,
        },
    )  # fmt: skip
    for _ in range(2):
        PublishJobFactory(
            account=account,
            post=PostFactory(workspace=account.workspace),
            status="published",
            published_at=timezone.now(),
        )
    # when
    html = admin_client.get(
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
    ).content.decode()
    # then
    assert "Ada Lovelace" in html
    assert re.search(r"Posts in the last 24 h</dt><dd[^>]*>2 / 15<", html)
    assert "Post directly to the profile" in html
    assert "Not allowed at the last connect" in html
    assert "Send drafts to the creator&#x27;s TikTok inbox" in html
    assert "user.info.stats" not in html.split('id="account-details"')[0]
    assert "SELF_ONLY" not in html.split('id="account-details"')[0]
    assert "Only me" in html and "until the app passes TikTok's audit" in html
    assert "Comments off" in html
    assert "Longest video</dt><dd>1 min<" in html
    assert 'id="recheck-button"' in html and 'id="disconnect-button"' in html
    assert "act.must-not-show" not in html


def test_account_list_offers_connect_for_each_of_my_workspaces(client):
    # given a staff member of two workspaces
    membership = MembershipFactory()
    MembershipFactory(user=membership.user)
    client.force_login(membership.user)
    # when
    html = client.get(
        reverse("admin:tiktok_integration_tiktokaccount_changelist")
    ).content.decode()
    # then
    assert html.count("Connect TikTok account to") == 2


def test_recheck_and_disconnect_refuse_get_requests(admin_client):
    account = TikTokAccountFactory()
    for name in ("recheck", "disconnect"):
        url = reverse(
            f"admin:tiktok_integration_tiktokaccount_{name}", args=[account.pk]
        )
        assert admin_client.get(url).status_code == 403


def test_reminder_goes_out_once_14_days_before_the_connection_ends(
    django_capture_on_commit_callbacks,
):
    # given one account ending in 13 days and one in 40
    ending = TikTokAccountFactory(
        refresh_token_expires_at=timezone.now() + timedelta(days=13)
    )
    TikTokAccountFactory(refresh_token_expires_at=timezone.now() + timedelta(days=40))
    MembershipFactory(workspace=ending.workspace, user__email="team@example.com")
    # when the hourly job runs twice
    first = tiktok_account_send_expiry_reminders()
    second = tiktok_account_send_expiry_reminders()
    # then
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert (
        "within 12 days" in mail.outbox[0].subject
        or "within 13 days" in mail.outbox[0].subject
    )
    assert f"tiktokaccount/{ending.pk}/change/" in mail.outbox[0].body


def test_every_account_ending_soon_is_reminded_but_not_one_already_disconnected():
    # given two connected accounts ending in 10 days and one needing reconnection
    ending = timezone.now() + timedelta(days=10)
    TikTokAccountFactory.create_batch(2, refresh_token_expires_at=ending)
    TikTokAccountFactory(
        refresh_token_expires_at=ending,
        status=TikTokAccount.Status.REAUTH_REQUIRED,
    )
    # when
    sent = tiktok_account_send_expiry_reminders()
    # then the two connected ones are reminded, and counted
    assert sent == 2
    assert (
        TikTokAccount.objects.filter(refresh_reminder_sent_at__isnull=False).count()
        == 2
    )


def test_reconnect_needed_wipes_tokens_and_tells_staff_how_many_posts_wait(
    django_capture_on_commit_callbacks,
):
    # given a connected account with one scheduled post
    job = PublishJobFactory()
    account = job.account
    MembershipFactory(workspace=account.workspace, user__email="team@example.com")
    # when TikTok refuses it with a long explanation
    with django_capture_on_commit_callbacks(execute=True):
        tiktok_account_mark_reauth_required(account_id=account.pk, reason="x" * 400)
    # then
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert account.status_reason == "x" * 300
    assert account.reauth_required_at is not None
    assert account.access_token is None and account.refresh_token is None
    assert len(mail.outbox) == 1
    assert "1 scheduled post(s) are paused, not lost" in mail.outbox[0].body
