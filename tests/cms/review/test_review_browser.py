"""The review flow in a real browser, as editor, approver and client, at desktop
and phone width. Screenshots go to test-artifacts/review-*.png."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile

from cms.models import Post, PostMedia
from cms.review.transitions import post_after_compose
from media_library.models import MediaAsset
from media_library.samples import make_sample_photo
from tests.cms.review.conftest import member, planned_post
from tests.conftest import browser_session, screenshot
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import PublishJobFactory
from tests.factories.workspaces import WorkspaceFactory
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = WorkspaceMembership.Role


@pytest.mark.parametrize("width", [1280, 390])
def test_editor_approver_and_client_review_a_post(browser, live_server, width):
    agency = WorkspaceFactory(name="Agency", approval_policy="internal_then_client")
    editor = member(agency, Role.EDITOR, f"eddie{width}")
    member(agency, Role.APPROVER, f"abby{width}")
    member(agency, Role.CLIENT_REVIEWER, f"clara{width}")
    post = planned_post(agency, editor)
    Post.objects.filter(pk=post.pk).update(
        title="Spring launch",
        caption="Spring is here. New colours, same comfort. #spring",
    )
    photo = MediaAssetFactory(
        workspace=agency,
        kind=MediaAsset.Kind.PHOTO,
        mime_type="image/jpeg",
        file=ContentFile(make_sample_photo(width=1080, height=1920), name="spring.jpg"),
    )
    PostMedia.objects.create(post=post, asset=photo, position=0)
    PublishJobFactory(post=post, account__username="brand.official")
    # the editor pressed Schedule in the composer: the post is in review
    post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    review = f"{live_server.url}/admin/cms/post/{post.pk}/review/"

    # the editor sees no approve button, comments to the approver, makes a link
    context, tab = browser_session(browser, live_server, width, f"eddie{width}")
    tab.goto(review)
    assert tab.locator("#review-state-badge").inner_text() == "In review"
    assert tab.locator("#review-approve").count() == 0
    tab.fill(
        "#review-comment", f"@abby{width} the caption is final, please check the date"
    )
    tab.click("#review-comment-send")
    tab.click("#review-link-create")
    # the link is absolute on BASE_URL; the test server has its own address
    link = live_server.url + re.sub(
        r"^https?://[^/]+", "", tab.locator("#review-new-link").input_value()
    )
    screenshot(tab, f"review-editor-{width}")
    context.close()

    # the approver finds it on the dashboard and approves it for the client
    context, tab = browser_session(browser, live_server, width, f"abby{width}")
    block = tab.locator("#panel-waiting-for-me")
    assert "Spring launch" in block.inner_text()
    screenshot(tab, f"review-approver-dashboard-{width}")
    block.get_by_role("link", name="Spring launch").click()
    tab.click("#review-approve")
    assert tab.locator("#review-stage").inner_text() == "Client review"
    screenshot(tab, f"review-approver-{width}")
    context.close()

    # the client opens the link without an account and asks for a change
    context, tab = browser_session(browser, live_server, width, None)
    tab.goto(link)
    assert "Spring is here" in tab.locator("#review-caption").inner_text()
    assert "@brand.official" in tab.locator("#review-phone").inner_text()
    tab.fill("#review-name", "Dana from Brand")
    tab.fill("#review-note", "Please say 'new colours' first")
    tab.click("#review-changes")
    assert "request for changes" in tab.locator("#review-done").inner_text()
    screenshot(tab, f"review-client-changes-{width}")
    context.close()

    # the editor sees the request come back and sends it again
    context, tab = browser_session(browser, live_server, width, f"eddie{width}")
    tab.goto(review)
    assert tab.locator("#review-state-badge").inner_text() == "Changes requested"
    assert "Dana from Brand" in tab.locator("#review-history").inner_text()
    tab.click("#review-submit")
    context.close()
    context, tab = browser_session(browser, live_server, width, f"abby{width}")
    tab.goto(review)
    tab.click("#review-approve")
    context.close()

    # the signed-in client reviewer sees only this post, and approves it
    context, tab = browser_session(browser, live_server, width, f"clara{width}")
    assert "Spring launch" in tab.locator("#panel-waiting-for-me").inner_text()
    tab.goto(f"{live_server.url}/admin/media_library/mediaasset/")
    assert "spring.jpg" not in tab.content()
    tab.goto(review)
    screenshot(tab, f"review-client-signed-in-{width}")
    tab.click("#review-approve")
    # answered, the post leaves their list
    assert "Approved." in tab.locator(".messagelist").inner_text()
    assert tab.locator("#review-nothing-waiting").is_visible()
    screenshot(tab, f"review-client-approved-{width}")
    context.close()

    # the link now reads as decided
    context, tab = browser_session(browser, live_server, width, None)
    tab.goto(link)
    assert re.search(
        "not waiting for your decision", tab.locator("#review-closed").inner_text()
    )
    screenshot(tab, f"review-client-link-after-{width}")
    context.close()
    post.refresh_from_db()
    assert post.editorial_state == Post.EditorialState.SCHEDULED
