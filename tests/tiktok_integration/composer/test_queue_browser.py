"""In Chromium: "Add to queue" in the composer puts the post in the account's
next free slot, and the next post in the slot after it."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import Post
from cms.scheduling import format_local, utc_to_local
from tests.conftest import screenshot
from tests.tiktok_integration.composer.support import (
    connect,
    member,
    sign_in,
    video_asset,
)
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot
from tiktok_integration.queues import queue_next_free_slot

pytestmark = [pytest.mark.browser]


def shoot_both(page: Any, name: str) -> None:
    original = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"queue-{name}-{width}")
    page.set_viewport_size(original)


def add_to_queue(page: Any, base_url: str, account: Any) -> None:
    page.goto(f"{base_url}{reverse('admin:cms_post_compose')}")
    page.wait_for_selector("#composer")
    page.check(f"input[name=targets][value='{account.pk}']")
    page.wait_for_selector(f"#panel-{account.pk}[data-state=ready]")
    page.check("input[name=media_ids]")
    page.fill("#compose-caption", "Queued #postdeck")
    page.locator(f"#panel-{account.pk} select[data-privacy]").select_option("SELF_ONLY")
    page.check("input[name=when][value=queue]")


def test_add_to_queue_fills_the_next_free_slot(sandbox, brand, page):
    # given an account whose queue has slots at 07:00 and 19:00 every day, Rome
    account = connect("public", brand)
    queue = PostingQueue.objects.create(account=account)
    for weekday in range(7):
        for hour in (7, 19):
            QueueSlot.objects.create(
                queue=queue, weekday=weekday, local_time=time(hour)
            )
    video_asset(brand)
    expected = queue_next_free_slot(account.pk, after=timezone.now())
    assert expected is not None
    sign_in(page, sandbox.url, member(brand))
    # when staff choose "Add to queue"
    add_to_queue(page, sandbox.url, account)
    # then the screen says where it goes and the button says what it does
    assert page.is_visible("[data-when-queue]")
    assert not page.is_visible("#compose-date")
    assert page.inner_text("#compose-submit") == "Add to queue"
    shoot_both(page, "composer")
    page.click("#compose-submit")
    # then the post is scheduled at the next free slot, shown in Rome time
    page.wait_for_selector("#compose-live li[data-status=scheduled]")
    post = Post.objects.get()
    assert post.scheduled_at == expected.starts_at
    assert format_local(expected.starts_at, "Europe/Rome") in page.inner_text(
        "#compose-live"
    )
    shoot_both(page, "scheduled")
    # when a second post is added, it takes the slot after
    add_to_queue(page, sandbox.url, account)
    page.click("#compose-submit")
    page.wait_for_selector("#compose-live li[data-status=scheduled]")
    second = Post.objects.exclude(pk=post.pk).get()
    assert second.scheduled_at is not None and post.scheduled_at is not None
    assert second.scheduled_at > post.scheduled_at
    assert utc_to_local(second.scheduled_at, "Europe/Rome").hour in (7, 19)
    assert PublishJob.objects.filter(scheduled_at=second.scheduled_at).count() == 1
