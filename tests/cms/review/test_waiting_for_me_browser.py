"""An editor whose post came back with changes requested finds it under
"Waiting for me", on the dashboard and in the inbox, at desk and phone width.
Screenshots go to test-artifacts/waiting-*.png."""

from __future__ import annotations

import pytest

from cms.models import Post
from cms.review.transitions import Reviewer, post_request_changes
from tests.cms.review.conftest import member, submitted
from tests.conftest import browser_session, screenshot
from tests.factories.workspaces import WorkspaceFactory
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = WorkspaceMembership.Role


@pytest.mark.parametrize("width", [1280, 390])
def test_an_editors_post_with_changes_requested_waits_for_them(
    browser, live_server, width
):
    # given an approver sent the editor's post back
    agency = WorkspaceFactory(name="Agency", approval_policy="internal_then_client")
    editor = member(agency, Role.EDITOR, f"eddie{width}")
    approver = member(agency, Role.APPROVER, f"abby{width}")
    post = submitted(agency, editor)
    Post.objects.filter(pk=post.pk).update(title="Spring launch")
    post_request_changes(
        post_id=post.pk, by=Reviewer.signed_in(approver), note="Shorter caption"
    )
    # someone else's post with changes requested is not the editor's to answer
    other = submitted(agency, member(agency, Role.EDITOR, f"olga{width}"))
    post_request_changes(
        post_id=other.pk, by=Reviewer.signed_in(approver), note="Not yours"
    )
    # when the editor signs in
    context, tab = browser_session(browser, live_server, width, editor.username)
    # then the dashboard counts and lists it
    panel = tab.locator("#panel-waiting-for-me")
    assert panel.locator(".postdeck-count").inner_text() == "1"
    assert "Spring launch · Agency · Changes requested" in panel.inner_text()
    screenshot(tab, f"waiting-dashboard-{width}")
    # and so does the inbox, leading to the post's review page
    tab.click("#nav-review")
    box = tab.locator("#review-waiting")
    assert box.locator(".postdeck-count").inner_text() == "1"
    assert "Changes requested" in box.inner_text()
    screenshot(tab, f"waiting-inbox-{width}")
    tab.click("a.review-open")
    assert "Shorter caption" in tab.locator("#content").inner_text()
    context.close()
