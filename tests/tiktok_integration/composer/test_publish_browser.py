"""End to end in Chromium: a post written once in the composer, scheduled in
the workspace's time zone for two sandbox accounts, watched to "published" on
the same screen; and the DST questions the When block asks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import Post
from cms.scheduling import utc_to_local
from tests.tiktok_integration.composer.support import (
    connect,
    creator_of,
    member,
    shoot,
    sign_in,
    video_asset,
)
from tiktok_integration.admin.composer import texts
from tiktok_integration.models import PublishJob

pytestmark = [pytest.mark.browser]
Status = PublishJob.Status


@pytest.fixture(autouse=True)
def _publishing_driven_by_the_test(settings: Any) -> None:
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 0
    settings.TIKTOK_POLL_FIRST_SECONDS = 0.0
    settings.TIKTOK_RATE_WINDOW_SECONDS = 61.0


def drive(*, rounds: int = 12) -> None:
    """What Celery beat and the workers do, run here until nothing is left."""
    from tiktok_integration.publishing.dispatch import (
        publish_dispatch_tick,
        publish_poll_tick,
    )
    from tiktok_integration.publishing.run import publish_job_run
    from tiktok_integration.publishing.status import publish_job_poll
    from tiktok_sandbox.services import sandbox_advance

    for _ in range(rounds):
        claims = publish_dispatch_tick()
        for claim in claims:
            publish_job_run(
                publish_job_id=claim.job_id, lease_version=claim.lease_version
            )
        sandbox_advance(deliver_webhooks=False)
        polls = publish_poll_tick()
        for claim in polls:
            publish_job_poll(
                publish_job_id=claim.job_id, lease_version=claim.lease_version
            )
        if not claims and not polls:
            return


def compose_for(page: Any, sandbox: Any, brand: Any, *accounts: Any) -> None:
    sign_in(page, sandbox.url, member(brand))
    page.goto(f"{sandbox.url}{reverse('admin:index')}")
    page.click("#dashboard-compose")
    page.wait_for_selector("#composer")
    for account in accounts:
        page.check(f"input[name=targets][value='{account.pk}']")
    for account in accounts:
        page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")


def test_one_post_scheduled_for_two_accounts_publishes_on_the_same_screen(
    sandbox, brand, page
):
    # given two sandbox accounts in a workspace on Rome time, and a video
    public = connect("public", brand)
    private = connect("private", brand)
    video_asset(brand, name="spring-teaser.mp4")
    compose_for(page, sandbox, brand, public, private)
    # when the post is written once and scheduled 2 minutes ahead, Rome time
    page.check("input[name=media_ids]")
    page.fill("#compose-caption", "Spring is here 🌸 #launch")
    page.locator(f"#panel-{public.pk} select[data-privacy]").select_option(
        "PUBLIC_TO_EVERYONE"
    )
    page.locator(f"#panel-{public.pk} input[name$='-allow_comment']").check()
    page.locator(f"#panel-{private.pk} select[data-privacy]").select_option(
        "FOLLOWER_OF_CREATOR"
    )
    wall = utc_to_local(timezone.now() + timedelta(minutes=2), "Europe/Rome")
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", wall.strftime("%Y-%m-%d"))
    page.fill("#compose-time", wall.strftime("%H:%M"))
    assert "UTC+0" in page.inner_text("#compose-offset")
    shoot(page, "e2e-filled")
    page.click("#compose-submit")
    # then the screen says what happens next, and nothing went to TikTok yet
    page.wait_for_selector("#compose-sent")
    assert texts.PROCESSING_NOTICE in page.inner_text("#compose-processing")
    page.wait_for_selector("#compose-live li[data-status=scheduled]")
    assert "Europe/Rome" in page.inner_text("#compose-live")
    post = Post.objects.get()
    assert post.time_zone == "Europe/Rome"
    assert post.scheduled_time is not None
    assert post.scheduled_time.strftime("%H:%M") == wall.strftime("%H:%M")
    jobs = PublishJob.objects.filter(post=post)
    assert {job.status for job in jobs} == {Status.SCHEDULED}
    assert not any(job.publish_id for job in jobs)
    # when the two minutes have passed and the dispatcher runs (and TikTok
    # has moderated the public post, which then gets its link)
    jobs.update(scheduled_at=timezone.now())
    drive()
    jobs.exclude(next_action_at=None).update(next_action_at=timezone.now())
    drive()
    # then both targets show "published" on the same screen, the public one
    # with its link (TikTok links only posts everyone can see)
    page.wait_for_selector("#compose-live[data-ended=true]", timeout=30_000)
    shown = page.locator(f"#compose-live li[data-account-id='{public.pk}']")
    assert shown.get_attribute("data-status") == "published"
    link = shown.locator("a").get_attribute("href")
    assert link is not None
    assert link == PublishJob.objects.get(account=public).public_url
    followers = page.locator(f"#compose-live li[data-account-id='{private.pk}']")
    assert followers.get_attribute("data-status") == "published"
    assert "Published" in followers.inner_text()
    shoot(page, "e2e-published")


def test_a_time_that_does_not_exist_offers_the_nearest_valid_times(
    sandbox, brand, page
):
    account = connect("public", brand)
    video_asset(brand)
    compose_for(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    page.locator(f"#panel-{account.pk} input[value=draft]").check()
    # 02:30 on the night Rome's clocks go forward does not exist
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", "2031-03-30")
    page.fill("#compose-time", "02:30")
    page.click("#compose-submit")
    page.wait_for_selector("#compose-time-choices")
    choices = page.locator("input[name=when_pick]")
    assert choices.count() >= 2
    text = page.inner_text("#compose-time-choices")
    assert "01:59" in text and "03:00" in text
    assert Post.objects.count() == 0
    shoot(page, "dst-gap")
    # choosing one schedules it at that wall time
    page.locator("#compose-time-choices label", has_text="03:00").click()
    assert page.input_value("#compose-time") == "03:00"
    page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")
    page.click("#compose-submit")
    page.wait_for_selector("#compose-sent")
    post = Post.objects.get()
    assert post.scheduled_time is not None
    assert post.scheduled_time.strftime("%H:%M") == "03:00"


def test_a_time_that_happens_twice_asks_which_one(sandbox, brand, page):
    account = connect("public", brand)
    video_asset(brand)
    compose_for(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    page.locator(f"#panel-{account.pk} input[value=draft]").check()
    # 02:30 on the night Rome's clocks go back happens twice
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", "2031-10-26")
    page.fill("#compose-time", "02:30")
    page.click("#compose-submit")
    page.wait_for_selector("#compose-time-choices")
    text = page.inner_text("#compose-time-choices")
    assert "UTC+02:00" in text and "UTC+01:00" in text
    shoot(page, "dst-fold")
    page.locator("#compose-time-choices label", has_text="the second time").click()
    page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")
    page.click("#compose-submit")
    page.wait_for_selector("#compose-sent")
    post = Post.objects.get()
    assert post.scheduled_fold == 1
    assert post.scheduled_at is not None
    assert post.scheduled_at.isoformat() == "2031-10-26T01:30:00+00:00"


def test_the_server_checks_again_and_shows_its_refusal_on_the_panel(
    sandbox, brand, page
):
    # given a panel rendered while the creator's account was public
    account = connect("public", brand)
    video_asset(brand)
    compose_for(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    page.locator(f"#panel-{account.pk} select[data-privacy]").select_option(
        "PUBLIC_TO_EVERYONE"
    )
    # when the creator makes the account private before the button is pressed
    creator = creator_of("public")
    creator.is_private_account = True
    creator.save()
    page.click("#compose-submit")
    # then nothing is saved, and the panel (asked again) says why
    page.wait_for_selector("#compose-errors-summary")
    page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")
    error = page.locator(f"#panel-{account.pk} [data-error-for=privacy_level]")
    assert error.is_visible()
    assert "PUBLIC_TO_EVERYONE" in error.inner_text()
    options = page.locator(f"#panel-{account.pk} select[data-privacy] option")
    assert "Everyone" not in options.all_inner_texts()
    assert Post.objects.count() == 0
    shoot(page, "server-refusal")
