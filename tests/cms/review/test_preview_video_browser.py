"""The client's preview of a video post: the account and caption do not sit
on the video's own controls, at desk and phone width. Screenshots go to
test-artifacts/preview-video-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cms.models import Post, PostMedia
from cms.review.links import preview_link_create
from media_library.models import MediaAsset
from media_library.samples import make_sample_video
from tests.cms.review.conftest import at_client_stage, member
from tests.conftest import screenshot
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import PublishJobFactory
from tests.factories.workspaces import WorkspaceFactory
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = WorkspaceMembership.Role

OVERLAP = """() => {
  const video = document.getElementById('review-video').getBoundingClientRect();
  const words = document.querySelector('#review-phone .review-overlay').getBoundingClientRect();
  return Math.max(0, Math.min(video.bottom, words.bottom) - Math.max(video.top, words.top));
}"""
# What a click on the controls (46 px above the video's bottom, the play button) reaches.
ON_CONTROLS = """() => {
  const video = document.getElementById('review-video');
  const box = video.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.bottom - 46);
  return hit === video;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_video_controls_are_clear_of_the_caption(
    browser, live_server, tmp_path: Path, width: int
):
    # given a video post waiting for the client, with a long caption
    agency = WorkspaceFactory(name="Agency", approval_policy="internal_then_client")
    editor = member(agency, Role.EDITOR, f"eddie{width}")
    post = at_client_stage(agency, editor, member(agency, Role.APPROVER, f"ab{width}"))
    Post.objects.filter(pk=post.pk).update(
        title="Spring launch",
        caption="Spring is here. New colours, same comfort.\n#spring #shoes #new",
    )
    clip = make_sample_video(tmp_path / "spring.mp4", seconds=1, width=360, height=640)
    video = MediaAssetFactory(
        workspace=agency,
        kind=MediaAsset.Kind.VIDEO,
        mime_type="video/mp4",
        file=ContentFile(clip.read_bytes(), name="spring.mp4"),
    )
    PostMedia.objects.create(post=post, asset=video, position=0)
    PublishJobFactory(post=post, account__username="brand.official")
    token = preview_link_create(post=post, user=editor)
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    # when the client opens the link
    tab.goto(live_server.url + reverse("review_preview", args=[token]))
    tab.wait_for_function(
        "() => document.getElementById('review-video').readyState >= 1"
    )
    tab.locator("#review-phone").scroll_into_view_if_needed()
    screenshot(tab, f"preview-video-{width}")
    # then the account and caption are shown, and not over the video
    assert "@brand.official" in tab.locator("#review-phone").inner_text()
    assert tab.evaluate(OVERLAP) == 0
    assert tab.evaluate(ON_CONTROLS) is True
    # and the play button at the controls' left end starts the video
    box = tab.locator("#review-video").bounding_box()
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.click(box["x"] + 24, box["y"] + box["height"] - 46)
    tab.wait_for_function("() => !document.getElementById('review-video').paused")
    context.close()
