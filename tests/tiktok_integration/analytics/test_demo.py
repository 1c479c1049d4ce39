"""The demo: a newcomer sees follower growth and curves of published posts."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.analytics.demo import DEMO_POSTS, analytics_demo_seed
from tiktok_integration.analytics.sync import analytics_accounts_to_sync
from tiktok_integration.models import PublishJob, TikTokAccount, TikTokVideo


def chart(response, element_id):
    html = response.content.decode()
    start = html.index(">", html.index(f'id="{element_id}"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
def test_demo_account_has_growth_and_every_post_has_a_rising_curve(client):
    # given
    workspace = WorkspaceFactory()
    admin = get_user_model().objects.create_superuser("boss", "b@x.test", "pw")
    assert analytics_demo_seed(
        workspace_id=workspace.pk, user_id=admin.pk, now=timezone.now()
    ) == len(DEMO_POSTS)
    assert (
        analytics_demo_seed(workspace_id=workspace.pk, user_id=None, now=timezone.now())
        == 0
    )
    account = TikTokAccount.objects.get()
    client.force_login(admin)
    # when
    page = client.get(
        reverse("admin:tiktok_integration_tiktokvideo_account", args=[account.pk])
    )
    # then
    followers = chart(page, "chart-followers")["series"]["Followers"]
    assert len(followers) == 31 and followers[-1] > followers[0]
    assert PublishJob.objects.filter(status=PublishJob.Status.PUBLISHED).count() == 7
    for video in TikTokVideo.objects.all():
        post_page = client.get(
            reverse(
                "admin:tiktok_integration_tiktokvideo_post",
                args=[video.publish_job.post_id],
            )
        )
        curve = chart(post_page, "post-charts")[0]
        views = curve["series"]["Views"]
        assert len(views) >= 3 and views == sorted(views) and views[-1] > views[0]
    # and no sync ever calls TikTok for the sample account
    assert account.pk not in analytics_accounts_to_sync()
