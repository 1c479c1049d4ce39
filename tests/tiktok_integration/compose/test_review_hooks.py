"""The composer and review: pressing Schedule submits for review under a
policy (consent stays the presser's), and editing an approved post's caption,
media or TikTok settings sends it back; moving only its time does not."""

from __future__ import annotations

from dataclasses import replace

from cms.models import Post
from cms.review.transitions import Reviewer, post_approve
from tests.factories.media import MediaAssetFactory
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.compose.conftest import (
    compose_request,
    direct,
    next_week_at,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import post_compose
from tiktok_integration.services.reschedule import post_reschedule
from workspaces.models import Workspace, WorkspaceMembership

State = Post.EditorialState


def _approved(rome, member, public_account, video):
    rome.approval_policy = Workspace.ApprovalPolicy.INTERNAL
    rome.save()
    approver = MembershipFactory(
        workspace=rome, role=WorkspaceMembership.Role.APPROVER
    ).user
    request = compose_request(
        rome, member, (direct(public_account),), media_ids=(video.pk,)
    )
    post = post_compose(request=request)
    assert post.editorial_state == State.IN_REVIEW
    post_approve(post_id=post.pk, by=Reviewer.signed_in(approver))
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED
    return post, replace(request, post_id=post.pk), approver


def test_the_presser_consents_and_the_approver_is_recorded_beside(
    rome, member, public_account, video
):
    post, _, approver = _approved(rome, member, public_account, video)
    job = PublishJob.objects.get(post=post)
    assert job.consent_snapshot["consented_by"]["id"] == member.pk
    approvals = post.review_events.filter(action="approved")
    assert [event.actor for event in approvals] == [approver]


def test_a_new_caption_sends_it_back(rome, member, public_account, video):
    _, request, _ = _approved(rome, member, public_account, video)
    post = post_compose(request=replace(request, caption="Another text"))
    assert post.editorial_state == State.IN_REVIEW


def test_new_media_sends_it_back(rome, member, public_account, video):
    _, request, _ = _approved(rome, member, public_account, video)
    other = MediaAssetFactory(workspace=rome, duration_seconds=9.0)
    post = post_compose(request=replace(request, media_ids=(other.pk,)))
    assert post.editorial_state == State.IN_REVIEW


def test_new_tiktok_settings_send_it_back(rome, member, public_account, video):
    _, request, _ = _approved(rome, member, public_account, video)
    changed = (direct(public_account, allow_comment=True),)
    post = post_compose(request=replace(request, targets=changed))
    assert post.editorial_state == State.IN_REVIEW


def test_saving_unchanged_or_moving_the_time_keeps_it_scheduled(
    rome, member, public_account, video
):
    _, request, _ = _approved(rome, member, public_account, video)
    post = post_compose(request=request)
    assert post.editorial_state == State.SCHEDULED
    post = post_reschedule(
        post_id=post.pk,
        wall_time=next_week_at(11),
        time_zone="Europe/Rome",
        fold=None,
        user_id=member.pk,
    )
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED
