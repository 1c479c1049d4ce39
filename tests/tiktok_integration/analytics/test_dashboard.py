"""The dashboard's analytics: the week's top posts and the posting-time heatmap
drawn from the workspace's own posts, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tiktok_integration.analytics.demo import analytics_demo_seed
from tiktok_integration.models import TikTokVideo


def test_dashboard_shows_top_posts_and_own_history_heatmap(db, client):
    # given the demo's posts in the member's workspace, and another workspace's
    workspace = WorkspaceFactory(time_zone="UTC")
    analytics_demo_seed(workspace_id=workspace.pk, user_id=None, now=timezone.now())
    client.force_login(MembershipFactory(workspace=workspace).user)
    # when
    response = client.get(reverse("admin:index"))
    # then the week's videos, most viewed first
    top = response.context["top_videos"]
    assert top and [v.latest_view_count for v in top] == sorted(
        (v.latest_view_count for v in top), reverse=True
    )
    week_ago = timezone.now() - timedelta(days=7)
    assert all(video.created_on_tiktok_at >= week_ago for video in top)
    # and the heatmap: one cell per post old enough, at its weekday and hour,
    # labelled as the workspace's own history
    heatmap = response.context["heatmap"]
    assert (
        heatmap.post_count
        == TikTokVideo.objects.exclude(
            created_on_tiktok_at__gt=timezone.now() - timedelta(hours=24)
        ).count()
    )
    filled = [cell for _, row in heatmap.rows for cell in row if cell[0] is not None]
    assert len(filled) == heatmap.post_count
    assert "Drawn from your own history" in response.content.decode()


def test_dashboard_queries_do_not_grow_with_posts(db, client):
    workspace = WorkspaceFactory(time_zone="UTC")
    client.force_login(MembershipFactory(workspace=workspace).user)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse("admin:index"))
    analytics_demo_seed(workspace_id=workspace.pk, user_id=None, now=timezone.now())
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("admin:index"))
    assert len(full.captured_queries) == len(empty.captured_queries)
