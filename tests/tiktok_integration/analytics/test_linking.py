"""Tying TikTok videos to the jobs that made them: by TikTok's post id, by a
scored match when TikTok has not named one, and inbox drafts once the creator
posts them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tiktok_integration.analytics.conftest import make_videos
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.analytics.linking import caption_similarity, match_score
from tiktok_integration.analytics.sync import analytics_account_sync
from tiktok_integration.models import PublishJob, TikTokVideo
from tiktok_sandbox.models import SandboxPublish
from tiktok_sandbox.services.lifecycle import sandbox_creator_post_draft

Status = PublishJob.Status


def test_a_published_job_is_linked_by_its_post_id(account, public_creator):
    # given a public post Postdeck published, among other videos
    make_videos(public_creator, 5, newest_at=timezone.now() - timedelta(days=1))
    job = scheduled_job(
        account, caption="Launch day!", privacy_level="PUBLIC_TO_EVERYONE"
    )
    drive()
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED and job.tiktok_post_ids
    # when
    analytics_account_sync(account_id=account.pk)
    # then
    video = TikTokVideo.objects.get(publish_job=job)
    assert video.video_id == str(job.tiktok_post_ids[0])
    assert video.link_method == TikTokVideo.LinkMethod.POST_ID
    assert video.link_confidence == 1.0
    assert TikTokVideo.objects.filter(publish_job__isnull=False).count() == 1


def test_a_job_without_a_post_id_is_matched_by_time_and_caption(
    account, public_creator
):
    # given a job TikTok published without naming the post, and on the profile
    # the post a few minutes later plus an older unrelated video
    job = scheduled_job(account, caption="Summer menu is here #food")
    reached = timezone.now() - timedelta(hours=2)
    PublishJob.objects.filter(pk=job.pk).update(
        status=Status.PUBLISHED, processing_at=reached, published_at=reached
    )
    make_videos(
        public_creator,
        1,
        newest_at=reached + timedelta(minutes=3),
        title="Summer menu is here #food",
    )
    make_videos(public_creator, 1, newest_at=reached - timedelta(days=2), title="Old")
    # when
    analytics_account_sync(account_id=account.pk)
    # then the right video is linked, with its score recorded
    video = TikTokVideo.objects.get(publish_job=job)
    assert video.title.startswith("Summer menu")
    assert video.link_method == TikTokVideo.LinkMethod.MATCHED
    assert video.link_confidence is not None
    assert 0.9 < video.link_confidence < 1.0


def test_an_inbox_draft_is_linked_once_the_creator_posts_it(account, public_creator):
    # given a draft Postdeck sent to the creator's inbox
    job = scheduled_job(account, caption="Draft for you", mode="draft")
    drive()
    job.refresh_from_db()
    assert job.status == Status.SENT_TO_INBOX
    analytics_account_sync(account_id=account.pk)
    assert not TikTokVideo.objects.filter(publish_job=job).exists()
    # when the creator posts it (with their own caption) and the next sync runs
    publish = SandboxPublish.objects.get(publish_id=job.publish_id)
    sandbox_creator_post_draft(publish=publish, title="Draft for you ✨")
    drive()
    analytics_account_sync(account_id=account.pk)
    # then
    video = TikTokVideo.objects.get(publish_job=job)
    assert video.link_confidence is not None and video.link_confidence >= 0.6


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("Hello  World", "hello world", 1.0),
        ("A long caption " * 20, ("A long caption " * 20)[:150], 1.0),
        ("", "anything", 0.0),
    ],
)
def test_caption_similarity(left, right, expected):
    assert caption_similarity(left, right) == expected


def test_a_video_outside_the_window_never_matches():
    now = timezone.now()
    assert (
        match_score(
            reached_tiktok_at=now,
            window=timedelta(hours=6),
            caption="Same",
            created_at=now + timedelta(hours=7),
            video_text="Same",
        )
        == 0.0
    )
