"""The admin's review pages: who sees what, comments, and lists that keep a
constant number of queries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import Post
from cms.review.models import Notification, PostComment
from tests.cms.review.conftest import at_client_stage, planned_post, submitted
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from workspaces.models import WorkspaceMembership

Role = WorkspaceMembership.Role


def review_url(post: Post) -> str:
    return reverse("admin:cms_post_review", args=[post.pk])


@pytest.mark.parametrize(
    "admin_page",
    [
        "admin:tiktok_integration_tiktokaccount_changelist",
        "admin:media_library_mediaasset_changelist",
        "admin:cms_post_changelist",
        "admin:workspaces_workspace_changelist",
    ],
)
def test_a_client_reviewer_sees_nothing_of_the_workspace_in_the_admin(
    client, agency, client_reviewer, admin_page
):
    # even holding the staff group's permissions, as this factory's users do
    TikTokAccountFactory(workspace=agency, username="brand.account")
    MediaAssetFactory(workspace=agency, original_filename="secret-clip.mp4")
    hidden = planned_post(agency, None)
    Post.objects.filter(pk=hidden.pk).update(title="Hidden plan")
    client.force_login(client_reviewer)
    response = client.get(reverse(admin_page))
    assert response.status_code == 403
    page = response.content.decode()
    assert "brand.account" not in page
    assert "secret-clip" not in page
    assert "Hidden plan" not in page
    assert f">{agency.name}<" not in page


def test_a_client_reviewer_cannot_open_the_workspace_or_compose(
    client, agency, client_reviewer
):
    client.force_login(client_reviewer)
    change = reverse("admin:workspaces_workspace_change", args=[agency.pk])
    assert client.get(change).status_code == 403
    response = client.get(reverse("admin:cms_post_compose") + f"?workspace={agency.pk}")
    assert response.status_code == 403


def test_a_client_reviewer_opens_only_posts_waiting_for_the_client(
    client, agency, editor, approver, client_reviewer
):
    internal = submitted(agency, editor)
    waiting = at_client_stage(agency, editor, approver)
    client.force_login(client_reviewer)
    # a post not waiting for the client (never, or no longer: an old
    # notification's link) leads to their inbox with a word, not to a 404
    refused = client.get(review_url(internal), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("admin:cms_post_review_inbox")
    assert "not waiting for your review now" in refused.content.decode()
    assert internal.title not in refused.content.decode()
    page = client.get(review_url(waiting))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="review-approve"' in body
    # no team controls: no preview links, no composer
    assert 'id="review-links"' not in body and 'id="review-edit"' not in body
    media = reverse("admin:cms_post_review_media", args=[internal.pk, 0])
    assert client.get(media).status_code == 404


def test_nobody_opens_another_workspaces_post(client, agency, editor, approver):
    other = WorkspaceFactory(approval_policy="internal")
    stranger_post = submitted(other, MembershipFactory(workspace=other).user)
    client.force_login(approver)
    assert client.get(review_url(stranger_post)).status_code == 404


def test_an_editor_sees_no_approve_button_and_an_approver_approves(
    client, agency, editor, approver
):
    post = submitted(agency, editor)
    client.force_login(editor)
    body = client.get(review_url(post)).content.decode()
    assert 'id="review-approve"' not in body
    assert "manager or an approver" in body
    client.force_login(approver)
    response = client.post(review_url(post), {"action": "approve", "body": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.review_stage == Post.ReviewStage.CLIENT


def test_comments_thread_mention_and_fold_away_when_resolved(
    client, agency, editor, approver
):
    post = submitted(agency, editor)
    client.force_login(approver)
    client.post(review_url(post), {"action": "comment", "body": "@eddie shorter?"})
    comment = PostComment.objects.get()
    assert list(comment.mentions.all()) == [editor]
    assert Notification.objects.filter(user=editor, kind="mention").exists()
    client.force_login(editor)
    client.post(
        review_url(post), {"action": "comment", "body": "Done", "parent": comment.pk}
    )
    body = client.get(review_url(post)).content.decode()
    assert "Done" in body and 'id="review-resolved"' not in body
    client.post(review_url(post), {"action": "resolve", "comment": comment.pk})
    body = client.get(review_url(post)).content.decode()
    assert 'id="review-resolved"' in body and "1 resolved comment" in body
    # the post page and the composer show the thread state too
    change = client.get(reverse("admin:cms_post_change", args=[post.pk]))
    assert 'id="post-review-panel"' in change.content.decode()


def test_team_creates_and_revokes_a_preview_link(client, agency, editor):
    post = submitted(agency, editor)
    client.force_login(editor)
    client.post(review_url(post), {"action": "link_create", "days": "3"})
    body = client.get(review_url(post)).content.decode()
    assert 'id="review-new-link"' in body and "/review/" in body
    link = post.preview_links.get()
    client.post(review_url(post), {"action": "link_revoke", "link": link.pk})
    link.refresh_from_db()
    assert link.revoked_at is not None


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_review_lists_keep_a_constant_number_of_queries(
    client, agency, editor, approver
):
    client.force_login(approver)
    inbox = reverse("admin:cms_post_review_inbox")
    dashboard = reverse("admin:index")
    for _ in range(2):
        submitted(agency, editor)
    small = (_queries(client, inbox), _queries(client, dashboard))
    for _ in range(8):
        submitted(agency, editor)
    large = (_queries(client, inbox), _queries(client, dashboard))
    assert small == large
    body = client.get(dashboard).content.decode()
    assert 'id="panel-waiting-for-me"' in body


def test_review_page_queries_do_not_grow_with_comments(
    client, agency, editor, approver
):
    post = submitted(agency, editor)
    client.force_login(approver)
    for text in ("one", "two"):
        client.post(review_url(post), {"action": "comment", "body": text})
    small = _queries(client, review_url(post))
    for text in ("three", "four", "five", "six"):
        client.post(review_url(post), {"action": "comment", "body": text})
        parent = PostComment.objects.filter(parent__isnull=True).first()
        client.post(
            review_url(post), {"action": "comment", "body": "re", "parent": parent.pk}
        )
    assert _queries(client, review_url(post)) == small


def test_notifications_list_and_mark_read(client, agency, editor, approver):
    submitted(agency, editor)
    client.force_login(approver)
    body = client.get(reverse("admin:cms_post_review_inbox")).content.decode()
    assert "Waiting for your review" in body and "1 unread" in body
    client.post(reverse("admin:cms_post_notifications_read"))
    assert not Notification.objects.filter(user=approver, read_at__isnull=True).exists()


def test_a_client_reviewer_comments_but_cannot_resolve_or_make_links(
    client, agency, editor, approver, client_reviewer
):
    post = at_client_stage(agency, editor, approver)
    client.force_login(approver)
    client.post(review_url(post), {"action": "comment", "body": "Internal note"})
    comment = PostComment.objects.get()
    client.force_login(client_reviewer)
    client.post(review_url(post), {"action": "resolve", "comment": comment.pk})
    client.post(review_url(post), {"action": "link_create", "days": "3"})
    client.post(review_url(post), {"action": "comment", "body": "Looks good"})
    comment.refresh_from_db()
    assert not comment.is_resolved
    assert not post.preview_links.exists()
    assert PostComment.objects.filter(author=client_reviewer).count() == 1


def test_only_managers_change_the_approval_policy(client, agency, editor, manager):
    change = reverse("admin:workspaces_workspace_change", args=[agency.pk])
    client.force_login(editor)
    assert 'name="approval_policy"' not in client.get(change).content.decode()
    client.force_login(manager)
    data = {
        "name": agency.name,
        "slug": agency.slug,
        "time_zone": agency.time_zone,
        "approval_policy": "internal",
        "review_reminder_hours": 12,
        "cap_deferral_policy": "retry",
    }
    assert client.post(change, data).status_code == 302
    agency.refresh_from_db()
    assert (agency.approval_policy, agency.review_reminder_hours) == ("internal", 12)
    assert not agency.allow_link_reviews


def test_without_a_policy_or_comments_the_post_page_shows_no_review_box(client, db):
    workspace = WorkspaceFactory()
    user = MembershipFactory(workspace=workspace).user
    post = planned_post(workspace, user)
    client.force_login(user)
    page = client.get(reverse("admin:cms_post_change", args=[post.pk])).content.decode()
    assert 'id="post-review-panel"' not in page
    assert 'id="post-review"' in page  # the Review link stays, for comments


def test_team_only_comments_never_reach_the_client(
    client, agency, editor, approver, client_reviewer
):
    from cms.review.links import preview_link_create

    post = at_client_stage(agency, editor, approver)
    client.force_login(approver)
    client.post(
        review_url(post),
        {"action": "comment", "body": "Margin is thin @clara", "internal": "on"},
    )
    client.post(review_url(post), {"action": "comment", "body": "Shared note"})
    internal = PostComment.objects.get(is_internal=True)
    assert not Notification.objects.filter(
        user=client_reviewer, kind="mention"
    ).exists()
    # the signed-in client sees only the shared thread, and cannot reply to the other
    client.force_login(client_reviewer)
    body = client.get(review_url(post)).content.decode()
    assert "Shared note" in body and "Margin is thin" not in body
    client.post(
        review_url(post), {"action": "comment", "body": "?", "parent": internal.pk}
    )
    assert not internal.replies.exists()
    # nor does the preview link show it
    token = preview_link_create(post=post, user=editor)
    client.logout()
    public = client.get(reverse("review_preview", args=[token])).content.decode()
    assert "Shared note" in public and "Margin is thin" not in public
    # the team still sees it, marked
    client.force_login(editor)
    assert "team only" in client.get(review_url(post)).content.decode()


def test_a_client_reviewer_has_no_models_in_the_admin_at_all(
    client, agency, client_reviewer, editor
):
    media = reverse("admin:media_library_mediaasset_changelist")
    client.force_login(client_reviewer)
    index = client.get(reverse("admin:index")).content.decode()
    assert 'id="panel-waiting-for-me"' in index
    assert 'id="nav-review"' in index
    for task in ("compose", "posts", "media", "accounts", "analytics", "system"):
        assert f'id="nav-{task}"' not in index
    # and no link to the accounts, which would answer 403
    assert reverse("admin:tiktok_integration_tiktokaccount_changelist") not in index
    assert client.get(media).status_code == 403
    # a member with another role elsewhere keeps that workspace's admin
    other = WorkspaceFactory()
    MembershipFactory(workspace=other, user=client_reviewer, role=Role.EDITOR)
    client.force_login(client_reviewer)
    assert 'id="nav-media"' in client.get(reverse("admin:index")).content.decode()
    assert client.get(media).status_code == 200


def test_the_review_page_writes_times_the_admins_one_way(client, agency, editor):
    # given a post planned in Berlin and sent for review
    agency.time_zone = "Europe/Berlin"
    agency.save()
    post = submitted(agency, editor)
    client.force_login(editor)
    # when
    body = client.get(review_url(post)).content.decode()
    # then: the plan and the history with minutes and the zone named
    planned = post.scheduled_at.astimezone(ZoneInfo("UTC"))
    assert (
        f"Planned for <strong>{planned.day} {planned:%b %Y, %H:%M} UTC</strong> (UTC)"
        in body
    )
    sent = post.review_events.get().at.astimezone(ZoneInfo("Europe/Berlin"))
    assert f"{sent.day} {sent:%b %Y, %H:%M} {sent.tzname()}" in body
