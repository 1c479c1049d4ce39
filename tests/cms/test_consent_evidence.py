"""The post page's consent evidence in words: no TikTok raw values, no ISO
timestamps (found walking through `make run` as a newcomer)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = {
    "mode": "direct",
    "scope_needed": "video.publish",
    "creator_info_shown": {"nickname": "Pat Public", "username": "sandbox.public"},
    "choices": {
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "allow_comment": True,
        "allow_duet": False,
        "allow_stitch": False,
        "brand_organic": False,
        "brand_content": False,
        "is_aigc": False,
        "cover_timestamp_ms": None,
        "photo_title": "",
        "photo_cover_index": 0,
    },
    "sent_to_tiktok": ["caption", "privacy_level", "allow_comment"],
    "declaration_text": "By posting, you agree to TikTok's Music Usage Confirmation.",
    "consented_by": {"id": 1, "name": "admin"},
    "consented_at": "2026-11-30T15:42:56.318505+00:00",
    "app_looked_unaudited": False,
}


def test_the_post_page_writes_the_consent_in_words(staff_client, workspace):
    # given a post in Berlin whose job carries the composer's consent record
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    job = PublishJobFactory(
        post=PostFactory(workspace=workspace), consent_snapshot=SNAPSHOT
    )
    # when
    page = staff_client.get(
        reverse("admin:cms_post_change", args=[job.post.pk])
    ).content.decode()
    # then
    evidence = page[page.index('class="postdeck-evidence"') :]
    evidence = evidence[: evidence.index("</dl>")]
    assert "admin, 30 Nov 2026, 16:42 CET (Europe/Berlin)" in evidence
    assert "Direct post (TikTok permission video.publish)" in evidence
    assert "Who can view: Everyone · Comments allowed · Duet off" in evidence
    assert "Caption, who can view, comments" in evidence
    for raw in ("PUBLIC_TO_EVERYONE", "privacy_level", "=False", "2026-11-30T"):
        assert raw not in evidence
