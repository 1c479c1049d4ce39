"""The post's metrics page is reachable from the post and from its jobs once
an account has published it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories.tiktok import PublishJobFactory
from tests.factories.workspaces import MembershipFactory, UserFactory
from tiktok_integration.models import PublishJob

pytestmark = pytest.mark.django_db


def _metrics_link(html: str) -> str | None:
    marker = 'id="post-metrics" href="'
    if marker not in html:
        return None
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.mark.parametrize(
    ("status", "linked"),
    [(PublishJob.Status.PUBLISHED, True), (PublishJob.Status.SCHEDULED, False)],
)
def test_post_and_job_pages_link_to_the_metrics_once_published(
    admin_client, status, linked
):
    # given
    job = PublishJobFactory(status=status)
    metrics = reverse("admin:tiktok_integration_tiktokvideo_post", args=[job.post_id])
    pages = [
        reverse("admin:cms_post_change", args=[job.post_id]),
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk]),
    ]
    for page in pages:
        # when
        response = admin_client.get(page)
        # then
        assert response.status_code == 200
        assert _metrics_link(response.content.decode()) == (metrics if linked else None)
    assert admin_client.get(metrics).status_code == 200


def test_staff_who_may_not_see_analytics_get_no_metrics_link(client):
    # given staff who may see posts and jobs but not analytics
    job = PublishJobFactory(status=PublishJob.Status.PUBLISHED)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_post", "view_publishjob"])
    )
    MembershipFactory(workspace=job.post.workspace, user=staff)
    # and a member of the staff group, who may
    analyst = MembershipFactory(workspace=job.post.workspace).user
    client.force_login(analyst)
    assert _metrics_link(
        client.get(
            reverse("admin:cms_post_change", args=[job.post_id])
        ).content.decode()
    )
    client.force_login(staff)
    pages = [
        reverse("admin:cms_post_change", args=[job.post_id]),
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk]),
    ]
    for page in pages:
        # when
        response = client.get(page)
        # then
        assert response.status_code == 200
        assert _metrics_link(response.content.decode()) is None
