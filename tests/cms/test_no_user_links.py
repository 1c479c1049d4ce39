"""Staff who are not superusers may not open user pages, so no page of theirs
links to one (the newcomer's crawl met a 403 behind "Created by: admin")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import TikTokAccountFactory

pytestmark = pytest.mark.django_db


def test_post_media_and_account_pages_name_people_without_a_dead_link(
    staff_client, staff_user, workspace
):
    # given objects the staff member made, uploaded and connected
    post = PostFactory(workspace=workspace, created_by=staff_user)
    asset = MediaAssetFactory(workspace=workspace, uploaded_by=staff_user)
    account = TikTokAccountFactory(workspace=workspace, connected_by=staff_user)
    pages = [
        reverse("admin:cms_post_change", args=[post.pk]),
        reverse("admin:media_library_mediaasset_change", args=[asset.pk]),
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk]),
    ]
    for url in pages:
        # when
        response = staff_client.get(url)
        # then
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "/admin/auth/user/" not in body, url
        assert staff_user.get_username() in body, url
