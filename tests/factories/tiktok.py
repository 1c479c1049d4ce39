from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories.cms import PostFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import (
    PublishAttempt,
    PublishJob,
    TikTokAccount,
    TikTokVideo,
    VideoSnapshot,
)


class TikTokAccountFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = TikTokAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    open_id = factory.Sequence(lambda n: f"open-id-{n:06d}")
    username = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
    access_token = factory.Sequence(lambda n: f"act.secret-access-{n:06d}")
    refresh_token = factory.Sequence(lambda n: f"rft.secret-refresh-{n:06d}")
    access_token_expires_at = factory.LazyFunction(
        lambda: timezone.now() + timedelta(hours=2)
    )
    refresh_token_expires_at = factory.LazyFunction(
        lambda: timezone.now() + timedelta(days=180)
    )
    granted_scopes = ["user.info.basic", "video.publish", "video.upload"]


class PublishJobFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = PublishJob

    post = factory.SubFactory(PostFactory)
    account = factory.SubFactory(
        TikTokAccountFactory, workspace=factory.SelfAttribute("..post.workspace")
    )
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    privacy_level = PublishJob.PrivacyLevel.SELF_ONLY


class PublishAttemptFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = PublishAttempt

    job = factory.SubFactory(PublishJobFactory)
    account = factory.SelfAttribute("job.account")
    endpoint = "video_init"
    http_status = 200
    tiktok_code = "ok"
    log_id = factory.Sequence(lambda n: f"20261122000000ABCDEF{n:04d}")
    started_at = factory.LazyFunction(timezone.now)


class TikTokVideoFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = TikTokVideo

    account = factory.SubFactory(TikTokAccountFactory)
    video_id = factory.Sequence(lambda n: f"7{n:018d}")
    title = factory.Sequence(lambda n: f"Video {n}")
    created_on_tiktok_at = factory.LazyFunction(
        lambda: timezone.now() - timedelta(days=2)
    )


class VideoSnapshotFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = VideoSnapshot

    video = factory.SubFactory(TikTokVideoFactory)
    taken_at = factory.LazyFunction(timezone.now)
    view_count = 1000
    like_count = 90
    comment_count = 7
    share_count = 4
