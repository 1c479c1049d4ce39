"""After Disconnect the account says so on every page and cannot be chosen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.admin.composer.page import account_list
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.tokens import tiktok_account_mark_reauth_required

pytestmark = pytest.mark.django_db

CAN_POST = {
    "nickname": "Ada", "username": "ada", "avatar_url": "",
    "privacy_level_options": ["PUBLIC_TO_EVERYONE"], "comment_disabled": False,
    "duet_disabled": False, "stitch_disabled": False,
    "max_video_post_duration_sec": 600, "can_post": True,
}  # fmt: skip


def _disconnected():  # type: ignore[no-untyped-def]
    return TikTokAccountFactory(
        status="disconnected",
        status_reason="Disconnected by staff.",
        access_token=None,
        refresh_token=None,
        creator_info=CAN_POST,
    )


def test_the_account_page_says_disconnected_and_never_can_post(admin_client):
    account = _disconnected()
    html = admin_client.get(
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
    ).content.decode()
    card = html.split('id="account-details"')[0]
    assert "Disconnected: Postdeck no longer posts with this account" in card
    assert "can post now" not in card
    assert 'id="recheck-button"' not in card
    assert 'id="disconnect-button"' not in card
    assert 'id="reconnect-link"' in card


def test_checking_a_disconnected_account_keeps_it_disconnected(admin_client):
    account = _disconnected()
    response = admin_client.post(
        reverse("admin:tiktok_integration_tiktokaccount_recheck", args=[account.pk]),
        follow=True,
    )
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.DISCONNECTED
    assert "reconnect it to check it with TikTok" in response.content.decode()


def test_tiktok_confirming_the_revoke_does_not_relabel_it():
    # TikTok's authorization.removed webhook arrives after our own revoke.
    account = _disconnected()
    tiktok_account_mark_reauth_required(
        account_id=account.pk, reason="TikTok reported that access was withdrawn."
    )
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.DISCONNECTED
    assert account.status_reason == "Disconnected by staff."


def test_a_disconnected_account_cannot_be_chosen_for_a_job_or_post(admin_client):
    account = _disconnected()
    live = TikTokAccountFactory(workspace=account.workspace, username="live")
    post = PostFactory(workspace=account.workspace)
    # the composer
    assert account_list(account.workspace) == [live]
    # the job form's account search
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "tiktok_integration",
            "model_name": "publishjob",
            "field_name": "account",
            "term": "",
        },
    ).json()
    assert [row["id"] for row in found["results"]] == [str(live.pk)]
    # the job form itself
    response = admin_client.post(
        reverse("admin:tiktok_integration_publishjob_add"),
        {"post": post.pk, "account": account.pk, "mode": "direct"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_account_card_tells_times_in_its_workspaces_zone(admin_client):
    # given an account in a Berlin workspace whose creator info was read at
    # 09:05 UTC (10:05 in Berlin in winter)
    account = TikTokAccountFactory(
        workspace=WorkspaceFactory(time_zone="Europe/Berlin"),
        creator_info=CAN_POST,
        creator_info_fetched_at=datetime(2026, 12, 1, 9, 5, tzinfo=UTC),
    )
    # when staff open its page
    html = admin_client.get(
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
    ).content.decode()
    # then the check is told in Berlin's time, the zone named
    assert "1 Dec 2026, 10:05 CET" in html
