"""The review walkthrough end to end in Chromium: an editor schedules in the
composer under "internal then client", nothing goes out while it waits; an
approver and the client (by preview link) approve; it publishes at its time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cms.models import Post
from cms.scheduling import utc_to_local
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.composer.support import (
    PASSWORD,
    connect,
    shoot,
    sign_in,
    video_asset,
)
from tests.tiktok_integration.composer.test_publish_browser import drive
from tiktok_integration.models import PublishJob
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser]
Status = PublishJob.Status


@pytest.fixture(autouse=True)
def _publishing_driven_by_the_test(settings: Any) -> None:
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 0
    settings.TIKTOK_POLL_FIRST_SECONDS = 0.0
    settings.TIKTOK_RATE_WINDOW_SECONDS = 61.0


def test_a_post_goes_out_only_after_the_approver_and_the_client(
    sandbox, brand, page, browser
):
    brand.approval_policy = "internal_then_client"
    brand.save()
    editor = MembershipFactory(
        workspace=brand, role=WorkspaceMembership.Role.EDITOR
    ).user
    approver = MembershipFactory(
        workspace=brand, role=WorkspaceMembership.Role.APPROVER
    ).user
    account = connect("public", brand)
    video_asset(brand, name="spring-teaser.mp4")
    # the editor writes and schedules the post in the composer
    sign_in(page, sandbox.url, editor)
    page.click("#dashboard-compose")
    page.wait_for_selector("#composer")
    page.check(f"input[name=targets][value='{account.pk}']")
    page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")
    page.check("input[name=media_ids]")
    page.fill("#compose-caption", "Spring is here #launch")
    page.locator(f"#panel-{account.pk} select[data-privacy]").select_option(
        "PUBLIC_TO_EVERYONE"
    )
    wall = utc_to_local(timezone.now() + timedelta(minutes=30), "Europe/Rome")
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", wall.strftime("%Y-%m-%d"))
    page.fill("#compose-time", wall.strftime("%H:%M"))
    page.click("#compose-submit")
    page.wait_for_selector("#compose-sent")
    assert "Sent for review" in page.inner_text("#compose-sent")
    assert page.inner_text("#post-review-state") == "In review"
    shoot(page, "review-sent")
    post = Post.objects.get()
    jobs = PublishJob.objects.filter(post=post)
    # its time comes and goes: nothing is sent while it waits for review
    jobs.update(scheduled_at=timezone.now())
    drive()
    assert {job.status for job in jobs} == {Status.SCHEDULED}
    jobs.update(scheduled_at=post.scheduled_at)
    # the approver approves for the client and makes a preview link
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.goto(f"{sandbox.url}/admin/login/")
    other.fill("#id_username", approver.username)
    other.fill("#id_password", PASSWORD)
    other.click("input[type=submit]")
    other.locator("#panel-waiting-for-me").get_by_role("link").first.click()
    other.click("#review-approve")
    other.click("#review-link-create")
    path = re.sub(
        r"^https?://[^/]+", "", other.locator("#review-new-link").input_value()
    )
    # the client approves on the link, without an account
    other.goto(sandbox.url + path)
    other.fill("#review-name", "Dana from Brand")
    other.click("#review-approve")
    other.wait_for_selector("#review-done")
    context.close()
    post.refresh_from_db()
    assert post.editorial_state == Post.EditorialState.SCHEDULED
    # and at its time it publishes, on the editor's screen
    jobs.update(scheduled_at=timezone.now())
    drive()
    jobs.exclude(next_action_at=None).update(next_action_at=timezone.now())
    drive()
    assert {job.status for job in jobs} == {Status.PUBLISHED}
    consent = jobs.get().consent_snapshot["consented_by"]
    assert consent["id"] == editor.pk
