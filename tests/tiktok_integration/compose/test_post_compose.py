"""post_compose: what the composer saves, against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms.models import Post
from tests.tiktok_integration.compose.conftest import (
    compose_request,
    direct,
    draft,
    next_week_at,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import ComposeError, post_compose

Status = PublishJob.Status


def test_a_direct_post_keeps_the_wall_time_and_stores_the_evidence(
    rome, member, public_account, video
):
    # given a post typed as 10:00 next week in Europe/Rome
    wall = next_week_at(10)
    post = post_compose(
        request=compose_request(
            rome, member, (direct(public_account),), media_ids=(video.pk,)
        )
    )
    # then the post keeps 10:00 Europe/Rome and its job goes out then
    post.refresh_from_db()
    assert (post.time_zone, post.scheduled_wall_time) == ("Europe/Rome", wall)
    assert post.scheduled_at.astimezone(UTC).hour in (8, 9)  # CET or CEST
    job = PublishJob.objects.get(post=post)
    assert job.status == Status.SCHEDULED
    assert job.scheduled_at == post.scheduled_at
    assert post.title == "Launch day #postdeck"
    # and what was shown and consented to is kept with the job
    evidence = job.consent_snapshot
    assert evidence["creator_info_shown"] == {"nickname": "Pat Public"}
    assert evidence["creator_info_checked"]["username"] == "sandbox.public"
    assert evidence["choices"]["privacy_level"] == "SELF_ONLY"
    assert evidence["declaration_text"].startswith("By posting, you agree")
    assert evidence["consented_by"] == {"id": member.pk, "name": member.username}
    assert evidence["consented_at"]
    assert "app_looked_unaudited" in evidence


def test_kolkata_time_is_not_stored_as_utc(rome, member, public_account, video):
    wall = next_week_at(14, 55)
    post = post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            wall_time=wall,
            time_zone="Asia/Kolkata",
        )
    )
    post.refresh_from_db()
    # 14:55 in Kolkata is 09:25 UTC, and the zone stays as chosen
    assert post.time_zone == "Asia/Kolkata"
    assert post.scheduled_at.astimezone(UTC).strftime("%H:%M") == "09:25"
    assert PublishJob.objects.get(post=post).scheduled_at == post.scheduled_at


def test_an_upload_only_account_can_send_drafts(
    rome, member, upload_only_account, video
):
    # given an account that granted video.upload but not video.publish
    post = post_compose(
        request=compose_request(
            rome, member, (draft(upload_only_account),), media_ids=(video.pk,)
        )
    )
    job = PublishJob.objects.get(post=post)
    assert (job.mode, job.status, job.privacy_level) == ("draft", "scheduled", "")
    assert job.consent_snapshot["scope_needed"] == "video.upload"
    assert job.consent_snapshot["sent_to_tiktok"] == ["media"]


def test_editing_moves_unstarted_jobs_cancels_removed_and_adds_new(
    rome, member, public_account, upload_only_account, video
):
    first = post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account), draft(upload_only_account)),
            media_ids=(video.pk,),
        )
    )
    later = next_week_at(18, 30)
    post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account, privacy_level="PUBLIC_TO_EVERYONE"),),
            media_ids=(video.pk,),
            post_id=first.pk,
            wall_time=later,
        )
    )
    first.refresh_from_db()
    assert first.scheduled_wall_time == later
    kept = PublishJob.objects.get(post=first, account=public_account)
    assert kept.scheduled_at == first.scheduled_at
    assert kept.privacy_level == "PUBLIC_TO_EVERYONE"
    removed = PublishJob.objects.get(post=first, account=upload_only_account)
    assert removed.status == Status.CANCELLED
    # adding it back reopens the cancelled job (nothing had been sent)
    post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account), draft(upload_only_account)),
            media_ids=(video.pk,),
            post_id=first.pk,
            wall_time=later,
        )
    )
    removed.refresh_from_db()
    assert removed.status == Status.SCHEDULED
    assert removed.scheduled_at == first.scheduled_at


def test_a_started_job_is_not_moved_and_is_named(
    rome, member, public_account, upload_only_account, video
):
    post = post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account), draft(upload_only_account)),
            media_ids=(video.pk,),
        )
    )
    PublishJob.objects.filter(post=post, account=public_account).update(
        status=Status.PUBLISHED
    )
    before = Post.objects.get(pk=post.pk).scheduled_at
    with pytest.raises(ComposeError) as caught:
        post_compose(
            request=compose_request(
                rome,
                member,
                (direct(public_account), draft(upload_only_account)),
                media_ids=(video.pk,),
                post_id=post.pk,
                wall_time=next_week_at(20),
            )
        )
    message = caught.value.errors[f"target:{public_account.pk}"][0]
    assert "@sandbox.public is already 'Published'" in message
    # and nothing moved, the draft's job included
    assert Post.objects.get(pk=post.pk).scheduled_at == before
    assert {job.scheduled_at for job in PublishJob.objects.filter(post=post)} == {
        before
    }


def test_publish_now_goes_out_at_once(rome, member, public_account, video):
    post = post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            publish_now=True,
            wall_time=None,
        )
    )
    job = PublishJob.objects.get(post=post)
    assert abs(job.scheduled_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert post.scheduled_wall_time is not None


def test_new_jobs_take_the_attempts_setting(
    rome, member, public_account, video, settings
):
    # given the operator allows two attempts
    settings.TIKTOK_PUBLISH_MAX_ATTEMPTS = 2
    # when a post is composed
    post = post_compose(
        request=compose_request(
            rome, member, (direct(public_account),), media_ids=(video.pk,)
        )
    )
    # then its job stops for a person after two
    assert post.publish_jobs.get().max_attempts == 2
