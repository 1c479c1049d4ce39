"""The post's admin form and list: the time typed in the post's zone is kept,
converted by the one function, shown back in that zone; jobs follow it; the
list shows each account's state in a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import Post
from cms.scheduling import local_to_utc
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PublishJob

pytestmark = pytest.mark.django_db
ADD = reverse("admin:cms_post_add")
LIST = reverse("admin:cms_post_changelist")
#: Session, user, the user's two-factor duty (workspaces that require it),
#: counts, the page of posts, their jobs with accounts, filters.
QUERIES_FOR_THE_POST_LIST = 12


def form(workspace: Any, **fields: Any) -> dict[str, Any]:
    values = {
        "workspace": workspace.pk, "title": "Launch", "caption": "Hi",
        "scheduled_date": "", "scheduled_time": "", "time_zone": "",
        "scheduled_fold": "", "post_media-TOTAL_FORMS": "0",
        "post_media-INITIAL_FORMS": "0",
    }  # fmt: skip
    values.update(fields)
    return values


def test_a_kolkata_time_is_stored_as_typed_in_its_zone(admin_client):
    berlin = WorkspaceFactory(time_zone="Europe/Berlin")
    admin_client.post(
        ADD,
        form(
            berlin,
            scheduled_date="2026-12-10",
            scheduled_time="14:55",
            time_zone="Asia/Kolkata",
        ),
    )
    post = Post.objects.get(title="Launch")
    # the zone chosen is kept (not switched to the workspace's)
    assert post.time_zone == "Asia/Kolkata"
    assert post.scheduled_at == datetime(2026, 12, 10, 9, 25, tzinfo=UTC)
    html = admin_client.get(LIST).content.decode()
    assert "10 Dec 2026, 14:55 IST (Asia/Kolkata)" in html


def test_utc_chosen_stays_utc_and_empty_means_the_workspace_zone(admin_client):
    rome = WorkspaceFactory(time_zone="Europe/Rome")
    admin_client.post(
        ADD,
        form(
            rome,
            title="In UTC",
            scheduled_date="2026-12-10",
            scheduled_time="10:00",
            time_zone="UTC",
        ),
    )
    admin_client.post(
        ADD,
        form(
            rome, title="Default", scheduled_date="2026-12-10", scheduled_time="10:00"
        ),
    )
    assert Post.objects.get(title="In UTC").time_zone == "UTC"
    default = Post.objects.get(title="Default")
    assert default.time_zone == "Europe/Rome"
    assert default.scheduled_at == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        ("2026-03-28", "28 Mar 2026, 10:00 CET (Europe/Rome)"),
        ("2026-03-29", "29 Mar 2026, 10:00 CEST (Europe/Rome)"),
        ("2026-03-30", "30 Mar 2026, 10:00 CEST (Europe/Rome)"),
    ],
)
def test_ten_in_rome_shows_as_ten_around_the_change(admin_client, day, shown):
    rome = WorkspaceFactory(time_zone="Europe/Rome")
    admin_client.post(ADD, form(rome, scheduled_date=day, scheduled_time="10:00"))
    assert shown in admin_client.get(LIST).content.decode()


def test_a_time_in_the_gap_is_refused_with_the_choices(admin_client):
    rome = WorkspaceFactory(time_zone="Europe/Rome")
    response = admin_client.post(
        ADD, form(rome, scheduled_date="2026-03-29", scheduled_time="02:30")
    )
    assert (
        "02:30 on 29 March 2026 does not exist in Europe/Rome: the clocks jump "
        "from 02:00 to 03:00. Choose 01:59 or 03:00." in response.content.decode()
    )
    assert not Post.objects.exists()


def test_a_repeated_time_needs_its_occurrence(admin_client):
    rome = WorkspaceFactory(time_zone="Europe/Rome")
    refused = admin_client.post(
        ADD, form(rome, scheduled_date="2026-10-25", scheduled_time="02:30")
    )
    assert "happens twice" in refused.content.decode()
    assert not Post.objects.exists()
    admin_client.post(
        ADD,
        form(
            rome, scheduled_date="2026-10-25", scheduled_time="02:30", scheduled_fold=1
        ),
    )
    post = Post.objects.get()
    assert post.scheduled_fold == 1
    assert post.scheduled_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def _scheduled_post(workspace: Any, when: datetime) -> Post:
    post = cast(Post, PostFactory(workspace=workspace, time_zone="Europe/Rome"))
    post.scheduled_date, post.scheduled_time = when.date(), when.time()
    post.scheduled_at = local_to_utc(when, "Europe/Rome")
    post.save()
    return post


def test_jobs_follow_the_post_and_started_ones_block_a_move(admin_client):
    rome = WorkspaceFactory(time_zone="Europe/Rome")
    soon = (timezone.now() + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    post = _scheduled_post(rome, soon)
    job = PublishJobFactory(post=post, scheduled_at=post.scheduled_at)
    url = reverse("admin:cms_post_change", args=[post.pk])
    later = soon + timedelta(days=1)
    fields = form(
        rome,
        scheduled_date=later.date().isoformat(),
        scheduled_time=later.strftime("%H:%M"),
        time_zone="Europe/Rome",
    )
    admin_client.post(url, fields)
    job.refresh_from_db()
    post.refresh_from_db()
    assert (
        job.scheduled_at
        == post.scheduled_at
        == local_to_utc(later.replace(second=0), "Europe/Rome")
    )
    # once a copy is at TikTok the time can no longer change
    other = PublishJobFactory(
        post=post, account=TikTokAccountFactory(workspace=rome, username="live")
    )
    PublishJob.objects.filter(pk=other.pk).update(status="processing")
    fields["scheduled_date"] = (later + timedelta(days=1)).date().isoformat()
    response = admin_client.post(url, fields)
    assert "@live (&#x27;Processing at TikTok&#x27;)" in response.content.decode()
    job.refresh_from_db()
    assert job.scheduled_at == post.scheduled_at


def test_the_list_shows_each_account_state_and_link(admin_client):
    post = PostFactory(title="Live one")
    PublishJobFactory(
        post=post,
        status="published",
        public_url="https://www.tiktok.com/@pat/video/7311111111111111111",
        account=TikTokAccountFactory(workspace=post.workspace, username="pat"),
    )
    html = admin_client.get(LIST).content.decode()
    assert "Published" in html
    assert "https://www.tiktok.com/@pat/video/7311111111111111111" in html
    assert "@pat" in html
    # an inbox job is never shown as a draft
    inbox = PostFactory(title="Inbox one")
    PublishJobFactory(post=inbox, status="sent_to_inbox", mode="draft")
    html = admin_client.get(LIST).content.decode()
    assert "Sent to inbox" in html


@pytest.mark.parametrize("posts", [2, 20])
def test_list_queries_do_not_grow_with_posts_and_jobs(
    admin_client, django_assert_num_queries, posts
):
    for index in range(posts):
        post = PostFactory()
        for _ in range(1 + index % 3):
            PublishJobFactory(post=post)
    admin_client.get(LIST)
    # the same number for 2 posts with 3 jobs as for 20 with 39
    with django_assert_num_queries(QUERIES_FOR_THE_POST_LIST):
        assert admin_client.get(LIST).status_code == 200
