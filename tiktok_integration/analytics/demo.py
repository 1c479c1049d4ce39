"""Sample analytics for the demo (``seed_demo``): an account with a month of
follower growth and published posts with metric history, so a newcomer sees
curves at once.

The numbers follow a fixed curve (fast growth in the first day, then a slow
tail), sampled on the real sampling schedule. The account is marked
disconnected with a note saying it is sample data, so no sync ever calls
TikTok for it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction

from cms.models import Post
from tiktok_integration.analytics.sampling import next_sample_at
from tiktok_integration.models import (
    AccountSnapshot,
    PublishJob,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
)
from tiktok_integration.publishing.transitions import (
    publish_job_create,
    publish_job_transition,
)

DEMO_OPEN_ID = "postdeck-demo-analytics"
DEMO_NOTE = (
    "Sample analytics for the demo. Connect an account (the built-in sandbox "
    "works) to sync real numbers."
)
#: (days ago, hour of day UTC, caption, views after a week)
DEMO_POSTS: tuple[tuple[int, int, str, int], ...] = (
    (1, 18, "Behind the scenes of our spring shoot 🌸", 9_000),
    (3, 12, "Three ways to style the denim jacket", 24_000),
    (6, 19, "Meet the team: Ana from the studio", 6_500),
    (9, 9, "Unboxing the new collection #newin", 41_000),
    (14, 20, "Customer questions, answered", 12_000),
    (21, 17, "Our most-asked-for tutorial is back", 58_000),
    (27, 8, "Morning routine at the workshop", 4_200),
)
FOLLOWERS_AT_START = 18_400
Status = PublishJob.Status


def demo_views(*, week_views: int, age: timedelta) -> int:
    """Views ``age`` after posting for a post that reaches ``week_views`` in a
    week: most in the first day, a slow tail after."""
    hours = max(age.total_seconds() / 3600, 0.0)
    fast = 0.8 * week_views * (1 - math.exp(-hours / 10))
    slow = 0.2 * week_views * min(hours / 168, 4.0)
    return int(fast + slow)


def _sample_times(created_at: datetime, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    last = None
    while True:
        due = next_sample_at(created_at=created_at, last_sampled_at=last)
        if due > now:
            break
        times.append(due)
        last = due
    if not times or now - times[-1] > timedelta(minutes=30):
        times.append(now)
    return times


def _publish(post: Post, account: TikTokAccount, posted_at: datetime) -> PublishJob:
    job = publish_job_create(
        job=PublishJob(
            post=post,
            account=account,
            scheduled_at=posted_at,
            privacy_level=PublishJob.PrivacyLevel.PUBLIC_TO_EVERYONE,
        ),
        status=Status.SCHEDULED,
        validate=False,
    )
    video_id = f"7{int(posted_at.timestamp()):018d}"
    publish_job_transition(publish_job_id=job.pk, to=Status.CLAIMED)
    publish_job_transition(
        publish_job_id=job.pk, to=Status.PROCESSING, processing_at=posted_at
    )
    publish_job_transition(
        publish_job_id=job.pk,
        to=Status.PUBLISHED,
        published_at=posted_at + timedelta(minutes=1),
        tiktok_post_ids=[video_id],
        publish_id=f"demo.{video_id}",
    )
    job.refresh_from_db()
    return job


def _video(
    account: TikTokAccount,
    job: PublishJob,
    caption: str,
    week_views: int,
    now: datetime,
) -> int:
    posted_at = job.published_at or now
    snapshots = []
    views = 0
    video = TikTokVideo.objects.create(
        account=account,
        video_id=str(job.tiktok_post_ids[0]),
        publish_job=job,
        link_method=TikTokVideo.LinkMethod.POST_ID,
        link_confidence=1.0,
        created_on_tiktok_at=posted_at,
        title=caption,
        description=caption,
        duration_seconds=15,
    )
    for taken_at in _sample_times(posted_at, now):
        views = demo_views(week_views=week_views, age=taken_at - posted_at)
        snapshots.append(
            VideoSnapshot(
                video=video,
                taken_at=taken_at,
                view_count=views,
                like_count=views // 11,
                comment_count=views // 140,
                share_count=views // 230,
            )
        )
    VideoSnapshot.objects.bulk_create(snapshots)
    TikTokVideo.objects.filter(pk=video.pk).update(
        latest_view_count=views,
        latest_like_count=views // 11,
        latest_comment_count=views // 140,
        latest_share_count=views // 230,
        last_sampled_at=snapshots[-1].taken_at,
    )
    return views


def analytics_demo_seed(
    *, workspace_id: int, user_id: int | None, now: datetime
) -> int:
    """Create the demo account, posts, videos and history in the workspace;
    nothing when it exists already. Returns the posts created."""
    if TikTokAccount.objects.filter(open_id=DEMO_OPEN_ID).exists():
        return 0
    with transaction.atomic():
        account = TikTokAccount.objects.create(
            workspace_id=workspace_id,
            open_id=DEMO_OPEN_ID,
            username="postdeck.demo",
            display_name="Postdeck demo (sample data)",
            status=TikTokAccount.Status.DISCONNECTED,
            status_reason=DEMO_NOTE,
            disconnected_at=now,
        )
        total_views = 0
        for days_ago, hour, caption, week_views in DEMO_POSTS:
            posted_at = (now - timedelta(days=days_ago)).replace(
                hour=hour, minute=0, second=0, microsecond=0
            )
            post = Post.objects.create(
                workspace_id=workspace_id,
                title=caption[:60],
                caption=caption,
                scheduled_at=posted_at,
                created_by_id=user_id,
            )
            job = _publish(post, account, posted_at)
            total_views += _video(account, job, caption, week_views, now)
        followers = [
            AccountSnapshot(
                account=account,
                taken_at=now - timedelta(days=day),
                follower_count=FOLLOWERS_AT_START
                + (30 - day) * 45
                + int(total_views * (30 - day) / 30 / 90),
                following_count=210,
                likes_count=int(total_views * (30 - day) / 30 / 11),
                video_count=len(DEMO_POSTS),
            )
            for day in range(30, -1, -1)
        ]
        AccountSnapshot.objects.bulk_create(followers)
        last = followers[-1]
        TikTokAccount.objects.filter(pk=account.pk).update(
            follower_count=last.follower_count,
            following_count=last.following_count,
            likes_count=last.likes_count,
            video_count=last.video_count,
        )
    return len(DEMO_POSTS)
