"""The client's preview link: signed, expiring, revocable, outside the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.models import Post, PostMedia
from cms.review.links import (
    PreviewLinkInvalidError,
    preview_link_create,
    preview_link_resolve,
    preview_link_revoke,
)
from cms.review.models import PostComment, PostReviewEvent, PreviewLink
from tests.cms.review.conftest import at_client_stage, submitted
from tests.factories.media import MediaAssetFactory


@pytest.fixture
def client_stage_post(agency, editor, approver):
    post = at_client_stage(agency, editor, approver)
    asset = MediaAssetFactory(workspace=agency)
    PostMedia.objects.create(post=post, asset=asset, position=0)
    return post


def url(token: str) -> str:
    return reverse("review_preview", args=[token])


def test_the_link_shows_the_post_without_a_login_and_sends_no_referrer_out(
    client, client_stage_post, editor
):
    token = preview_link_create(post=client_stage_post, user=editor)
    response = client.get(url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert client_stage_post.caption in page
    assert 'id="review-approve"' in page
    assert response["Referrer-Policy"] == "same-origin"
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )
    assert "<script" not in page and "style=" not in page
    media = client.get(reverse("review_preview_media", args=[token, 0]))
    assert media.status_code == 200
    assert b"".join(media.streaming_content).startswith(b"bytes of")
    assert (
        client.get(reverse("review_preview_media", args=[token, 1])).status_code == 404
    )


def test_a_client_approves_by_link_with_their_name(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    response = client.post(
        url(token), {"action": "approve", "name": "Dana Brand", "body": ""}
    )
    assert response.status_code == 302
    client_stage_post.refresh_from_db()
    assert client_stage_post.editorial_state == Post.EditorialState.SCHEDULED
    event = PostReviewEvent.objects.get(
        post=client_stage_post, via="link", action="approved"
    )
    assert (event.actor_name, event.action, event.actor) == (
        "Dana Brand",
        "approved",
        None,
    )
    assert "approval is recorded" in client.get(response["Location"]).content.decode()


def test_a_client_requests_changes_and_comments(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    client.post(url(token), {"action": "comment", "name": "Dana", "body": "Love it"})
    comment = PostComment.objects.get()
    client.post(
        url(token),
        {"action": "comment", "name": "Dana", "body": "One more", "parent": comment.pk},
    )
    assert PostComment.objects.get(parent=comment).author_name == "Dana"
    response = client.post(
        url(token), {"action": "changes", "name": "Dana", "body": "Use the blue logo"}
    )
    assert response.status_code == 302
    client_stage_post.refresh_from_db()
    assert client_stage_post.editorial_state == Post.EditorialState.CHANGES_REQUESTED
    # the page stays readable, without the buttons
    page = client.get(url(token)).content.decode()
    assert 'id="review-approve"' not in page and "Love it" in page


def test_a_name_is_required(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    response = client.post(url(token), {"action": "approve", "name": " "})
    assert response.status_code == 400
    client_stage_post.refresh_from_db()
    assert client_stage_post.editorial_state == Post.EditorialState.IN_REVIEW


def test_forms_need_the_csrf_token(client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(token), {"action": "approve", "name": "Mallory"})
    assert response.status_code == 403
    client_stage_post.refresh_from_db()
    assert client_stage_post.editorial_state == Post.EditorialState.IN_REVIEW


def test_a_workspace_can_require_signed_in_reviewers(
    client, client_stage_post, editor, agency
):
    agency.allow_link_reviews = False
    agency.save()
    token = preview_link_create(post=client_stage_post, user=editor)
    page = client.get(url(token)).content.decode()
    assert 'id="review-approve"' not in page
    response = client.post(url(token), {"action": "approve", "name": "Dana"})
    assert response.status_code == 400
    client_stage_post.refresh_from_db()
    assert client_stage_post.editorial_state == Post.EditorialState.IN_REVIEW


def test_a_post_at_the_internal_stage_cannot_be_approved_by_link(
    client, agency, editor
):
    post = submitted(agency, editor)
    token = preview_link_create(post=post, user=editor)
    assert 'id="review-approve"' not in client.get(url(token)).content.decode()
    response = client.post(url(token), {"action": "approve", "name": "Dana"})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.review_stage == Post.ReviewStage.INTERNAL


def test_an_expired_link_is_refused(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor, days=1)
    PreviewLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url(token)).status_code == 404
    assert (
        client.post(url(token), {"action": "approve", "name": "x"}).status_code == 404
    )


def test_a_revoked_link_is_refused(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    assert preview_link_revoke(link_id=PreviewLink.objects.get().pk)
    assert client.get(url(token)).status_code == 404
    assert (
        client.get(reverse("review_preview_media", args=[token, 0])).status_code == 404
    )


def test_a_tampered_token_is_refused(client, client_stage_post, editor):
    token = preview_link_create(post=client_stage_post, user=editor)
    link = PreviewLink.objects.get()
    # another link id under the same signature, a changed nonce, a cut token
    forged = token.replace(f"{link.pk}:", f"{link.pk + 1}:", 1)
    for bad in (forged, token[:-2] + "xx", token.split(":")[0], "garbage"):
        assert client.get(url(bad)).status_code == 404
        with pytest.raises(PreviewLinkInvalidError):
            preview_link_resolve(bad)


def test_the_signature_itself_expires(client_stage_post, editor, monkeypatch):
    token = preview_link_create(post=client_stage_post, user=editor)
    later = timezone.now() + timedelta(days=91)
    PreviewLink.objects.update(expires_at=later + timedelta(days=1))
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    with pytest.raises(PreviewLinkInvalidError):
        preview_link_resolve(token)
