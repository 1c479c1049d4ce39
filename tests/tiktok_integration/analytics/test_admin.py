"""The analytics pages staff see: an account's follower growth and sortable
videos, a post's curves per target, covers renewed before they expire, and
query counts that do not grow with the number of videos."""

from __future__ import annotations

import json
from datetime import timedelta

import requests
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories.tiktok import TikTokAccountFactory, TikTokVideoFactory
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.analytics.conftest import make_videos
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.analytics.sync import analytics_account_sync
from tiktok_integration.models import TikTokVideo
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count


def account_url(account) -> str:
    return reverse("admin:tiktok_integration_tiktokvideo_account", args=[account.pk])


def chart_data(response, element_id: str):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_account_page_shows_follower_growth_and_sorts_videos(
    account, public_creator, client
):
    # given two syncs an hour apart
    make_videos(public_creator, 3)
    analytics_account_sync(account_id=account.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        analytics_account_sync(account_id=account.pk)
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    # when
    response = client.get(account_url(account) + "?o=-views")
    # then the chart has two growing follower points, the table is sorted
    assert response.status_code == 200
    followers = chart_data(response, "chart-followers")["series"]["Followers"]
    assert len(followers) == 2 and followers[1] > followers[0]
    views = [video.latest_view_count for video in response.context["page"]]
    assert views == sorted(views, reverse=True)


def test_the_account_page_is_only_for_its_workspace(account, client):
    client.force_login(MembershipFactory().user)
    assert client.get(account_url(account)).status_code == 404


def test_account_page_queries_do_not_grow_with_videos(account, public_creator, client):
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    make_videos(public_creator, 3)
    analytics_account_sync(account_id=account.pk)
    client.get(account_url(account))
    with CaptureQueriesContext(connection) as few:
        client.get(account_url(account))
    make_videos(public_creator, 30, newest_at=timezone.now() - timedelta(days=3))
    analytics_account_sync(account_id=account.pk, full=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(account_url(account))
    assert response.context["page"].paginator.count == 33
    assert len(many.captured_queries) == len(few.captured_queries)


def test_post_page_draws_each_targets_curve_since_publishing(
    account, public_creator, client
):
    # given a post published publicly and synced twice
    job = scheduled_job(account, caption="Curves!", privacy_level="PUBLIC_TO_EVERYONE")
    drive()
    analytics_account_sync(account_id=account.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        analytics_account_sync(account_id=account.pk)
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    # when
    response = client.get(
        reverse("admin:tiktok_integration_tiktokvideo_post", args=[job.post_id])
    )
    # then
    assert response.status_code == 200
    views, engagement = chart_data(response, "post-charts")
    assert len(views["x"]) == 2
    assert views["series"]["Views"][1] > views["series"]["Views"][0]
    assert set(engagement["series"]) == {"Likes", "Comments", "Shares"}
    assert engagement["series"]["Likes"][1] > engagement["series"]["Likes"][0]


def test_an_expired_cover_is_renewed_before_it_is_shown(
    account, public_creator, client
):
    # given a video whose cover link was fetched 7 hours ago
    make_videos(public_creator, 1)
    analytics_account_sync(account_id=account.pk)
    video = TikTokVideo.objects.get(account=account)
    old_url = video.cover_image_url
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    later = timezone.now() + timedelta(hours=7)
    with time_machine.travel(later, tick=False):
        assert requests.get(old_url, timeout=10).status_code == 403
        # when the page asks for the cover
        response = client.get(
            reverse("admin:tiktok_integration_tiktokvideo_cover", args=[video.pk])
        )
        # then it gets a renewed link that works, from one video/query
        assert response.status_code == 302
        assert response["Location"] != old_url
        assert requests.get(response["Location"], timeout=10).status_code == 200
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_QUERY) == 1
    # and a fresh cover costs no call
    client.get(reverse("admin:tiktok_integration_tiktokvideo_cover", args=[video.pk]))
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_QUERY) == 1


def test_the_account_page_renews_stale_covers_in_batches(
    account, public_creator, client
):
    # given 25 videos whose covers were fetched 7 hours ago
    make_videos(public_creator, 25)
    analytics_account_sync(account_id=account.pk)
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    with time_machine.travel(timezone.now() + timedelta(hours=7), tick=False):
        # when
        client.get(account_url(account))
        # then two video/query calls renewed all 25, and each image is fresh
        assert sandbox_call_count(endpoint=Endpoint.VIDEO_QUERY) == 2
        video = TikTokVideo.objects.filter(account=account).first()
        cover = client.get(
            reverse("admin:tiktok_integration_tiktokvideo_cover", args=[video.pk])
        )
        assert requests.get(cover["Location"], timeout=10).status_code == 200
    assert sandbox_call_count(endpoint=Endpoint.VIDEO_QUERY) == 2


def test_a_staff_member_opens_analytics_with_only_their_workspaces_videos(
    staff_client, workspace
):
    # given a video of the member's workspace and one of another workspace
    mine = TikTokVideoFactory(
        account=TikTokAccountFactory(workspace=workspace), title="Our croissant"
    )
    TikTokVideoFactory(title="Someone else's bagel")
    # when the member opens Analytics from the navigation
    response = staff_client.get(
        reverse("admin:tiktok_integration_tiktokvideo_changelist")
    )
    # then the list opens (it was a 500: the videos have no workspace field)
    assert response.status_code == 200
    body = response.content.decode()
    assert mine.title in body and "Someone else's bagel" not in body
