"""What staff see about an account's health, and the reminders they get."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory
from tiktok_integration.services.tokens import tiktok_account_send_expiry_reminders

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
    assert "Posts in the last 24 h: 2 / 15" in html
    assert (
        "Not granted: user.info.profile, user.info.stats, video.list, video.upload"
        in html
    )
    assert "This app looks unaudited" in html
    assert "Comments off" in html
    assert "60 s" in html
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
