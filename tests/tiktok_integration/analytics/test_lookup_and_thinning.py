"""Looking up a pasted video id or share link, and thinning old snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.analytics.conftest import make_videos
from tiktok_integration.analytics.lookup import VideoLookupError, parse_video_reference
from tiktok_integration.analytics.thinning import analytics_snapshots_thin
from tiktok_integration.models import TikTokVideo, VideoSnapshot
from tiktok_sandbox import links


@pytest.fixture
def web_url(sandbox, settings):
    settings.TIKTOK_WEB_URL = f"{sandbox.url}/tiktok-sandbox"
    return settings.TIKTOK_WEB_URL


@pytest.mark.parametrize(
    "kind", ["id", "long", "short"], ids=["video id", "long link", "short link"]
)
def test_lookup_finds_and_tracks_a_video_of_a_connected_account(
    kind, account, public_creator, web_url, client
):
    # given a video Postdeck has never synced
    (video,) = make_videos(public_creator, 1, title="Found me")
    pasted = {
        "id": video.video_id,
        "long": links.video_page_url(video),
        "short": links.short_url(video),
    }[kind]
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    # when staff paste it
    response = client.post(
        reverse("admin:tiktok_integration_tiktokvideo_lookup"), {"video": pasted}
    )
    # then its details show and it is tracked
    assert response.status_code == 200
    found = response.context["video"]
    assert found.video_id == video.video_id and found.title == "Found me 0"
    assert found.is_tracked and found.latest_view_count >= 0
    assert VideoSnapshot.objects.filter(video=found).count() == 1


def test_lookup_refuses_another_accounts_video(account, sandbox, web_url, client):
    from tiktok_sandbox.models import SandboxCreator

    other = SandboxCreator.objects.get(username="sandbox.private")
    (video,) = make_videos(other, 1)
    client.force_login(MembershipFactory(workspace=account.workspace).user)
    response = client.post(
        reverse("admin:tiktok_integration_tiktokvideo_lookup"),
        {"video": video.video_id},
    )
    assert response.context["video"] is None
    assert "not a public video of any connected account" in response.content.decode()
    assert not TikTokVideo.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example/@u/video/7301234567890123456",
        "http://169.254.169.254/latest/meta-data/",
        "https://vm.tiktok.com.evil.example/abc/",
        "not a link",
    ],
)
def test_links_that_are_not_tiktoks_are_refused_without_fetching(text, settings):
    settings.TIKTOK_SANDBOX = False
    with pytest.raises(VideoLookupError):
        parse_video_reference(text)


def test_long_tiktok_links_parse_without_a_request(settings):
    settings.TIKTOK_SANDBOX = False
    assert parse_video_reference(
        "https://www.tiktok.com/@brand/video/7301234567890123456?is_from_webapp=1"
    ) == ("brand", "7301234567890123456")


def test_old_snapshots_thin_to_the_last_of_each_day(db):
    # given a video sampled every 6 hours for 100 days
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    video = TikTokVideo.objects.create(
        account=TikTokAccountFactory(),
        video_id="7000000000000000001",
        created_on_tiktok_at=now - timedelta(days=100),
    )
    VideoSnapshot.objects.bulk_create(
        VideoSnapshot(
            video=video,
            taken_at=now - timedelta(hours=6 * step),
            view_count=10_000 - step,
            like_count=0,
            comment_count=0,
            share_count=0,
        )
        for step in range(400)
    )
    cutoff = now - timedelta(days=90)
    recent_before = VideoSnapshot.objects.filter(taken_at__gte=cutoff).count()
    # when
    deleted = analytics_snapshots_thin(now=now)
    # then one a day before the cutoff, the last of each day; recent ones kept
    old = list(VideoSnapshot.objects.filter(taken_at__lt=cutoff).order_by("taken_at"))
    days = {snapshot.taken_at.date() for snapshot in old}
    assert len(old) == len(days)
    assert all(snapshot.taken_at.hour == 18 for snapshot in old[1:-1])
    assert VideoSnapshot.objects.filter(taken_at__gte=cutoff).count() == recent_before
    assert deleted > 0 and analytics_snapshots_thin(now=now) == 0
