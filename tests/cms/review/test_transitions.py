"""Every move of a post's editorial state, and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cms.models import Post
from cms.review.models import Notification, PostReviewEvent
from cms.review.selectors import posts_due_for_review_reminder
from cms.review.transitions import (
    Reviewer,
    ReviewRefusedError,
    post_after_compose,
    post_after_reschedule,
    post_approve,
    post_content_edited,
    post_remind_reviewers,
    post_request_changes,
    post_submit_for_review,
)
from cms.tasks import review_remind_task, review_reminders_task
from tests.cms.review.conftest import at_client_stage, planned_post, submitted
from tests.factories.workspaces import WorkspaceFactory
from workspaces.models import Workspace

State = Post.EditorialState
Stage = Post.ReviewStage
Policy = Workspace.ApprovalPolicy


def by(user):
    return Reviewer.signed_in(user)


def test_without_a_policy_the_composer_schedules_at_once(db, editor):
    workspace = WorkspaceFactory(approval_policy=Policy.NONE)
    post = planned_post(workspace, editor)
    post = post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    assert post.editorial_state == State.SCHEDULED
    event = PostReviewEvent.objects.get(post=post)
    assert (event.from_state, event.to_state, event.actor) == (
        "draft",
        "scheduled",
        editor,
    )


def test_under_a_policy_pressing_schedule_submits_for_internal_review(
    agency, editor, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = submitted(agency, editor)
    post.refresh_from_db()
    assert (post.editorial_state, post.review_stage) == (
        State.IN_REVIEW,
        Stage.INTERNAL,
    )
    event = PostReviewEvent.objects.get(post=post)
    assert (event.action, event.actor, event.actor_name) == (
        "submitted",
        editor,
        "eddie",
    )
    assert event.at is not None
    # the approver hears about it, by email and in their list; the editor does not
    assert [message.to for message in mail.outbox] == [[approver.email]]
    assert Notification.objects.get().user == approver


def test_an_editor_cannot_approve(agency, editor, approver):
    post = submitted(agency, approver)
    with pytest.raises(ReviewRefusedError, match="manager or an approver"):
        post_approve(post_id=post.pk, by=by(editor))
    post.refresh_from_db()
    assert post.editorial_state == State.IN_REVIEW


def test_nobody_approves_a_post_they_submitted(agency, approver, manager):
    post = submitted(agency, approver)
    with pytest.raises(ReviewRefusedError, match="another approver"):
        post_approve(post_id=post.pk, by=by(approver))
    # a second pair of eyes may
    post_approve(post_id=post.pk, by=by(manager))
    post.refresh_from_db()
    assert post.review_stage == Stage.CLIENT


def test_internal_policy_approval_schedules_a_post_with_its_time_ahead(
    agency, editor, approver
):
    agency.approval_policy = Policy.INTERNAL
    agency.save()
    post = submitted(agency, editor)
    post_approve(post_id=post.pk, by=by(approver))
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED
    moves = list(
        PostReviewEvent.objects.filter(post=post).values_list("action", "to_state")
    )
    assert moves == [
        ("submitted", "in_review"),
        ("approved", "approved"),
        ("scheduled", "scheduled"),
    ]


def test_internal_then_client_needs_the_client_after_the_approver(
    agency, editor, approver, client_reviewer
):
    post = at_client_stage(agency, editor, approver)
    assert (post.editorial_state, post.review_stage) == (State.IN_REVIEW, Stage.CLIENT)
    # the approver cannot stand in for the client
    with pytest.raises(ReviewRefusedError, match="client"):
        post_approve(post_id=post.pk, by=by(approver))
    post_approve(post_id=post.pk, by=by(client_reviewer))
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED


def test_a_client_reviewer_cannot_approve_the_internal_stage(
    agency, editor, client_reviewer
):
    post = submitted(agency, editor)
    with pytest.raises(ReviewRefusedError):
        post_approve(post_id=post.pk, by=by(client_reviewer))


def test_a_link_reviewer_acts_only_at_the_client_stage(agency, editor, approver):
    post = submitted(agency, editor)
    link_reviewer = Reviewer(user=None, name="Dana from Brand", via="link")
    with pytest.raises(ReviewRefusedError, match="not waiting for the client"):
        post_approve(post_id=post.pk, by=link_reviewer)
    post_approve(post_id=post.pk, by=by(approver))
    post_approve(post_id=post.pk, by=link_reviewer)
    event = PostReviewEvent.objects.filter(post=post, via="link").first()
    assert (event.actor, event.actor_name) == (None, "Dana from Brand")


def test_requesting_changes_needs_a_note_and_tells_the_author(
    agency, editor, approver, django_capture_on_commit_callbacks
):
    post = submitted(agency, editor)
    with pytest.raises(ReviewRefusedError, match="what should change"):
        post_request_changes(post_id=post.pk, by=by(approver), note="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post_request_changes(post_id=post.pk, by=by(approver), note="Shorter caption")
    post.refresh_from_db()
    assert post.editorial_state == State.CHANGES_REQUESTED
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "Shorter caption" in mail.outbox[0].body
    # the editor's next save sends it back for review
    post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    post.refresh_from_db()
    assert (post.editorial_state, post.review_stage) == (
        State.IN_REVIEW,
        Stage.INTERNAL,
    )


def test_sending_for_review_again_without_editing(agency, editor, approver):
    post = submitted(agency, editor)
    post_request_changes(post_id=post.pk, by=by(approver), note="Check the date")
    post_submit_for_review(post_id=post.pk, user=editor)
    post.refresh_from_db()
    assert post.editorial_state == State.IN_REVIEW
    with pytest.raises(ReviewRefusedError):
        post_submit_for_review(post_id=post.pk, user=editor)


def test_a_client_reviewer_cannot_submit(agency, editor, approver, client_reviewer):
    post = submitted(agency, editor)
    post_request_changes(post_id=post.pk, by=by(approver), note="Fix")
    with pytest.raises(ReviewRefusedError, match="team"):
        post_submit_for_review(post_id=post.pk, user=client_reviewer)


def test_approving_twice_is_refused(agency, editor, approver, client_reviewer):
    post = at_client_stage(agency, editor, approver)
    post_approve(post_id=post.pk, by=by(client_reviewer))
    with pytest.raises(ReviewRefusedError, match="not in review"):
        post_approve(post_id=post.pk, by=by(client_reviewer))


def test_approved_after_its_time_asks_for_a_new_time_instead_of_going_out(
    agency, editor, approver
):
    agency.approval_policy = Policy.INTERNAL
    agency.save()
    post = submitted(agency, editor, hours_ahead=1)
    Post.objects.filter(pk=post.pk).update(
        scheduled_at=timezone.now() - timedelta(minutes=5)
    )
    post_approve(post_id=post.pk, by=by(approver))
    post.refresh_from_db()
    assert post.editorial_state == State.APPROVED
    note = Notification.objects.get(kind=Notification.Kind.NEEDS_NEW_TIME)
    assert note.user == editor and "new time" in note.message
    # a new time ahead schedules it
    Post.objects.filter(pk=post.pk).update(
        scheduled_at=timezone.now() + timedelta(hours=2)
    )
    post_after_reschedule(post_id=post.pk, user=editor)
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED


def test_editing_an_approved_post_sends_it_back_to_review(
    agency, editor, approver, client_reviewer
):
    post = at_client_stage(agency, editor, approver)
    post_approve(post_id=post.pk, by=by(client_reviewer))
    # only the time changed: it stays scheduled
    post_after_compose(post_id=post.pk, user=editor, content_changed=False)
    post.refresh_from_db()
    assert post.editorial_state == State.SCHEDULED
    # the caption changed: back to the first stage, both approvals needed again
    post_after_compose(post_id=post.pk, user=editor, content_changed=True)
    post.refresh_from_db()
    assert (post.editorial_state, post.review_stage) == (
        State.IN_REVIEW,
        Stage.INTERNAL,
    )
    assert PostReviewEvent.objects.filter(
        post=post, action="edited_after_approval"
    ).exists()


def test_editing_outside_the_composer_sends_it_back_too(agency, editor, approver):
    agency.approval_policy = Policy.INTERNAL
    agency.save()
    post = submitted(agency, editor)
    post_approve(post_id=post.pk, by=by(approver))
    post_content_edited(post_id=post.pk, user=editor)
    post.refresh_from_db()
    assert post.editorial_state == State.IN_REVIEW


def test_reminders_go_once_per_round_close_to_the_time(
    agency, editor, approver, django_capture_on_commit_callbacks, monkeypatch
):
    agency.review_reminder_hours = 6
    agency.save()
    far = submitted(agency, editor, hours_ahead=48)
    near = submitted(agency, editor, hours_ahead=3)
    assert posts_due_for_review_reminder(timezone.now()) == [near.pk]
    mail.outbox.clear()
    queued: list[int] = []
    monkeypatch.setattr(review_remind_task, "delay", queued.append)
    assert review_reminders_task() == 1
    assert queued == [near.pk]
    with django_capture_on_commit_callbacks(execute=True):
        review_remind_task(near.pk)
    assert Notification.objects.filter(kind="reminder", post=near).count() == 1
    assert "Still waiting" in mail.outbox[0].subject
    assert post_remind_reviewers(post_id=near.pk) is False
    assert not Notification.objects.filter(kind="reminder", post=far).exists()
