"""Syncing an account's numbers from the sandbox: every page to the end, the
fewest calls, snapshots that grow into curves, a refused token refreshed once,
and an account without video.list skipped with its reason."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.tiktok_integration.analytics.conftest import make_videos
from tests.tiktok_integration.publishing.conftest import connect
from tiktok_integration.analytics.sync import analytics_account_sync
from tiktok_integration.models import (
    AccountSnapshot,
    AnalyticsSyncState,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
)
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import (
    sandbox_access_tokens_expire_all,
    sandbox_tokens_issue,
)


def test_first_sync_pages_to_the_end_in_the_fewest_calls(account, public_creator):
    # given 45 public videos: three pages of at most 20
    make_videos(public_creator, 45)
    # when
    result = analytics_account_sync(account_id=account.pk)
    # then every video is stored with one snapshot, in 1 + ceil(45/20) calls
    assert TikTokVideo.objects.filter(account=account).count() == 45
    assert VideoSnapshot.objects.filter(video__account=account).count() == 45
    assert result.api_calls == 4
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_LIST) == 3
    assert sandbox_call_count(endpoint=Endpoint.USER_INFO) == 1
    assert AccountSnapshot.objects.get(account=account).follower_count > 12400
    assert AnalyticsSyncState.objects.get(account=account).last_api_calls == 4


def test_later_syncs_build_curves_from_due_videos_only(account, public_creator):
    # given an account synced once, its videos 0 to 44 hours old
    make_videos(public_creator, 45)
    analytics_account_sync(account_id=account.pk)
    newest = TikTokVideo.objects.get(account=account, title="clip 0")
    first_views = newest.latest_view_count
    # when the next hourly sync runs an hour and a half later
    with time_machine.travel(timezone.now() + timedelta(minutes=90), tick=False):
        result = analytics_account_sync(account_id=account.pk)
    # then one list page (it reaches known videos) and one query for the due
    # videos beyond it; the newest video's views grew into a curve
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_LIST) == 4
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_QUERY) == 1
    assert result.api_calls == 3
    views = list(
        VideoSnapshot.objects.filter(video=newest)
        .order_by("taken_at")
        .values_list("view_count", flat=True)
    )
    assert len(views) == 2
    assert views[1] > views[0] == first_views
    # a video a day old sampled at 44 h is not due again before its 3-day mark
    oldest = TikTokVideo.objects.get(account=account, title="clip 44")
    assert VideoSnapshot.objects.filter(video=oldest).count() == 1


def test_a_token_refused_mid_sync_is_refreshed_once(account, public_creator):
    # given TikTok expired the account's token early
    make_videos(public_creator, 25)
    sandbox_access_tokens_expire_all(creator=public_creator)
    version = account.token_version
    # when
    result = analytics_account_sync(account_id=account.pk)
    # then the sync refreshed once and finished
    account.refresh_from_db()
    assert account.token_version == version + 1
    assert account.status == TikTokAccount.Status.ACTIVE
    assert TikTokVideo.objects.filter(account=account).count() == 25
    assert result.skipped_reason == ""


def test_an_account_that_lost_video_list_is_skipped_with_its_reason(
    sandbox, public_creator
):
    # given an account whose token no longer carries video.list at TikTok,
    # although Postdeck still lists it as granted
    account = connect(public_creator)
    tokens = sandbox_tokens_issue(
        creator=public_creator, scopes=["user.info.basic", "user.info.stats"]
    )
    TikTokAccount.objects.filter(pk=account.pk).update(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token
    )
    make_videos(public_creator, 3)
    # when
    result = analytics_account_sync(account_id=account.pk)
    # then no videos, the profile still counted, the reason kept for staff
    assert TikTokVideo.objects.count() == 0
    assert AccountSnapshot.objects.filter(account=account).count() == 1
    assert "video.list" in result.skipped_reason
    state = AnalyticsSyncState.objects.get(account=account)
    assert "video.list" in state.skipped_reason


def test_an_account_without_the_scope_granted_costs_no_video_call(
    sandbox, public_creator
):
    # given
    account = connect(public_creator)
    TikTokAccount.objects.filter(pk=account.pk).update(
        granted_scopes=["user.info.basic"]
    )
    # when
    result = analytics_account_sync(account_id=account.pk)
    # then
    assert result.api_calls == 0
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_LIST) == 0
    assert (
        "video.list" in AnalyticsSyncState.objects.get(account=account).skipped_reason
    )
