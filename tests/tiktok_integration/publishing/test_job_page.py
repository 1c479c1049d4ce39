"""A job's page shows what staff act on first; internals are folded away."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory

pytestmark = pytest.mark.django_db


def test_a_published_job_shows_state_and_link_before_any_internals(admin_client):
    job = PublishJobFactory(
        status="published",
        public_url="https://www.tiktok.com/@ada/video/7300000000000000001",
        publish_id="v_pub_url~v2.123",
        lease_owner="worker-7",
    )
    html = admin_client.get(
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk])
    ).content.decode()
    summary, rest = html.split('id="job-summary"')[1].split("</dl>", 1)
    assert "Published" in summary and 'id="job-link"' in summary
    assert "worker-7" not in summary
    details = rest.split("<h2")
    assert any("Details" in part and "collapse" in rest for part in details)
    assert html.index("worker-7") > html.index(">Details<")


def test_a_failed_job_says_why_first(admin_client):
    job = PublishJobFactory(status="failed", failure_message="TikTok was down.")
    html = admin_client.get(
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk])
    ).content.decode()
    assert "TikTok was down." in html.split('id="job-summary"')[1].split("</dl>")[0]


def test_the_add_form_shows_no_empty_outcome_or_progress(admin_client):
    post = PostFactory()
    html = admin_client.get(
        reverse("admin:tiktok_integration_publishjob_add") + f"?post={post.pk}"
    ).content.decode()
    assert ">Details<" not in html and ">Outcome<" not in html
    assert ">Progress<" not in html and 'id="job-summary"' not in html


def test_the_post_page_opens_with_each_accounts_state(admin_client):
    job = PublishJobFactory(status="failed", failure_message="Video too short.")
    html = admin_client.get(
        reverse("admin:cms_post_change", args=[job.post_id])
    ).content.decode()
    summary = html.split('id="post-summary"')[1].split("</ul>")[0]
    assert "Needs attention" in summary
    assert str(job.account) in summary and "Video too short." in summary
