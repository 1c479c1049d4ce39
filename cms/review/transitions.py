"""Every change of ``Post.editorial_state`` (and ``review_stage``), and nothing
else writes them.

States: draft → in review → changes requested → approved → scheduled. Under
the workspace's ``approval_policy``:

- ``none``: the composer's final button moves any post straight to Scheduled.
- ``internal``: it moves the post to In review (stage internal); a manager or
  approver other than the person who submitted it approves it.
- ``internal_then_client``: after the internal approval the post stays In
  review at stage client, and a client reviewer (signed in, or by a preview
  link, giving a name) approves it.

An approved post whose time is still ahead becomes Scheduled (the only state
the dispatcher publishes under a policy); one approved after its time stays
Approved and asks for a new time (``post_after_reschedule`` schedules it).
Editing the caption, media or TikTok settings of an approved or scheduled post
sends it back to review. Each move is a compare-and-set ``UPDATE … WHERE
editorial_state IN (allowed)`` whose row count is checked, and writes a
``PostReviewEvent`` with who and when, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cms.models import Post
from cms.review import notify
from cms.review.models import Notification, PostReviewEvent
from workspaces.models import Workspace, WorkspaceMembership
from workspaces.selectors import workspace_role_of

State = Post.EditorialState
Stage = Post.ReviewStage
Policy = Workspace.ApprovalPolicy
Role = WorkspaceMembership.Role
Via = PostReviewEvent.Via

APPROVING_ROLES = frozenset({Role.MANAGER, Role.APPROVER})
EDITABLE_STATES = frozenset(
    {State.DRAFT, State.CHANGES_REQUESTED, State.APPROVED, State.SCHEDULED}
)


class ReviewRefusedError(Exception):
    """The move is not allowed (wrong state, role, or the post changed
    meanwhile); ``str()`` says why in words. Nothing was written."""


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who acts: a signed-in ``user``, or a preview-link visitor (``user`` None)
    with the ``name`` they gave. ``via`` is a ``PostReviewEvent.Via``."""

    user: Any
    name: str
    via: str

    @classmethod
    def signed_in(cls, user: Any) -> Reviewer:
        """The reviewer for a signed-in ``user``; the name shown is their full
        name or username."""
        return cls(
            user=user, name=user.get_full_name() or user.get_username(), via=Via.ADMIN
        )


def _move(
    post: Post,
    *,
    allowed: frozenset[str],
    to: str,
    stage: str,
    action: str,
    by: Reviewer,
    note: str = "",
    require: Q | None = None,
) -> None:
    """Compare-and-set the post's state, then record the move."""
    condition = Q(pk=post.pk, editorial_state__in=allowed)
    if require is not None:
        condition &= require
    values: dict[str, Any] = {"editorial_state": to, "review_stage": stage}
    if to == State.IN_REVIEW and stage == Stage.INTERNAL:
        values["review_reminded_at"] = None
    if Post.objects.filter(condition).update(**values) != 1:
        raise ReviewRefusedError(
            "This post changed meanwhile (someone else acted on it); "
            "reload and try again."
        )
    PostReviewEvent.objects.create(
        post=post,
        from_state=post.editorial_state,
        to_state=to,
        stage=post.review_stage,
        action=action,
        actor=by.user,
        actor_name=by.name[:150],
        via=by.via,
        note=note,
    )
    post.editorial_state, post.review_stage = to, stage


def _send_to_review(
    post: Post, *, allowed: frozenset[str], action: str, user: Any
) -> None:
    """Move the post to In review (stage internal) and tell its reviewers,
    leaving out ``user``, who sent it."""
    _move(
        post,
        allowed=allowed,
        to=State.IN_REVIEW,
        stage=Stage.INTERNAL,
        action=action,
        by=Reviewer.signed_in(user),
    )
    notify.review_requested(post=post, exclude_user=user)


def _schedule(post: Post, *, allowed: frozenset[str], by: Reviewer) -> None:
    """Move the post to Scheduled, the state the dispatcher publishes."""
    _move(
        post,
        allowed=allowed,
        to=State.SCHEDULED,
        stage=Stage.NONE,
        action="scheduled",
        by=by,
    )


def _locked(post_id: int) -> Post:
    return Post.objects.select_related("workspace").select_for_update().get(pk=post_id)


def post_after_compose(*, post_id: int, user: Any, content_changed: bool) -> Post:
    """The composer's final button was pressed (its consent is recorded on the
    jobs, by ``user``). Without a policy the post becomes Scheduled. With one,
    a new post, a draft, a post with changes requested, or an approved or
    scheduled post whose caption, media or TikTok settings changed
    (``content_changed``) goes to In review (stage internal, approvals
    cleared); an approved post whose only change was its time follows
    ``post_after_reschedule``; a post already in review whose content changed
    starts its review again. Call inside the composer's transaction."""
    post = _locked(post_id)
    if post.workspace.approval_policy == Policy.NONE:
        if post.editorial_state != State.SCHEDULED:
            _schedule(
                post, allowed=frozenset(State.values), by=Reviewer.signed_in(user)
            )
        return post
    state = post.editorial_state
    if state in (State.APPROVED, State.SCHEDULED) and not content_changed:
        return post_after_reschedule(post_id=post.pk, user=user)
    if state == State.IN_REVIEW and not content_changed:
        return post
    action = (
        "edited_after_approval"
        if state in (State.APPROVED, State.SCHEDULED)
        else "submitted"
    )
    _send_to_review(post, allowed=frozenset(State.values), action=action, user=user)
    return post


def post_after_reschedule(*, post_id: int, user: Any) -> Post:
    """The post's time changed (or was kept) by a signed-in ``user``. An
    approved post (one that asked for a new time) whose time is now ahead
    becomes Scheduled. Other states do not move (the composer refuses times
    in the past, so a scheduled post stays scheduled)."""
    post = Post.objects.select_related("workspace").get(pk=post_id)
    if post.workspace.approval_policy == Policy.NONE:
        return post
    is_ahead = post.scheduled_at is not None and post.scheduled_at > timezone.now()
    if post.editorial_state == State.APPROVED and is_ahead:
        _schedule(
            post, allowed=frozenset({State.APPROVED}), by=Reviewer.signed_in(user)
        )
    return post


def post_content_edited(*, post_id: int, user: Any) -> Post:
    """The caption, media or TikTok settings of the post changed outside the
    composer (the classic post form, a job's form). Under a policy an approved
    or scheduled post goes back to In review; other states do not move."""
    with transaction.atomic():
        post = _locked(post_id)
        if (
            post.workspace.approval_policy == Policy.NONE
            or post.editorial_state
            not in (
                State.APPROVED,
                State.SCHEDULED,
            )
        ):
            return post
        _send_to_review(
            post,
            allowed=frozenset({State.APPROVED, State.SCHEDULED}),
            action="edited_after_approval",
            user=user,
        )
    return post


def post_submit_for_review(*, post_id: int, user: Any) -> Post:
    """Ask for review again without editing (after changes were requested, or
    from a draft). Raises ``ReviewRefusedError`` when the workspace has no
    policy, the post is not editable, or ``user`` may not compose there."""
    with transaction.atomic():
        post = _locked(post_id)
        if post.workspace.approval_policy == Policy.NONE:
            raise ReviewRefusedError("This workspace does not ask for approval.")
        role = workspace_role_of(user, post.workspace_id)
        if role is None or role == Role.CLIENT_REVIEWER:
            raise ReviewRefusedError("Only the workspace's team can submit posts.")
        _send_to_review(
            post,
            allowed=frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
            action="submitted",
            user=user,
        )
    return post


def _check_may_review(post: Post, by: Reviewer) -> None:
    if post.editorial_state != State.IN_REVIEW:
        raise ReviewRefusedError(
            f"This post is '{post.get_editorial_state_display()}', not in review."
        )
    if by.user is None:
        if post.review_stage != Stage.CLIENT:
            raise ReviewRefusedError("This post is not waiting for the client.")
        return
    role = workspace_role_of(by.user, post.workspace_id)
    if post.review_stage == Stage.INTERNAL:
        if role not in APPROVING_ROLES:
            raise ReviewRefusedError(
                "Only a manager or an approver can review this post now."
            )
        if _submitter_id(post) == by.user.pk:
            raise ReviewRefusedError(
                "You submitted this post; another approver must approve it."
            )
    elif role != Role.CLIENT_REVIEWER:
        raise ReviewRefusedError(
            "This post is waiting for the client's review: a client reviewer, or "
            "someone holding its preview link, approves it."
        )


def review_refusal(*, post: Post, by: Reviewer) -> str:
    """Why ``by`` may not approve or request changes on ``post`` now, or ""
    when they may (the same check the moves make)."""
    try:
        _check_may_review(post, by)
    except ReviewRefusedError as refused:
        return str(refused)
    return ""


def _submitter_id(post: Post) -> int | None:
    """Who sent the post into its current review round."""
    return (
        post.review_events.filter(action__in=("submitted", "edited_after_approval"))
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def post_approve(*, post_id: int, by: Reviewer, note: str = "") -> Post:
    """Approve the post at its current stage. Internal approval under
    ``internal_then_client`` moves it to the client stage; the last approval
    makes it Approved, then Scheduled if its time is ahead, or asks for a new
    time (``Notification.Kind.NEEDS_NEW_TIME``) if the time has passed.
    Raises ``ReviewRefusedError`` (not in review, wrong role, own post)."""
    with transaction.atomic():
        post = _locked(post_id)
        _check_may_review(post, by)
        policy = post.workspace.approval_policy
        if (
            post.review_stage == Stage.INTERNAL
            and policy == Policy.INTERNAL_THEN_CLIENT
        ):
            _move(
                post,
                allowed=frozenset({State.IN_REVIEW}),
                to=State.IN_REVIEW,
                stage=Stage.CLIENT,
                action="approved",
                by=by,
                note=note,
                require=Q(review_stage=Stage.INTERNAL),
            )
            notify.review_requested(post=post, exclude_user=by.user)
            return post
        _move(
            post,
            allowed=frozenset({State.IN_REVIEW}),
            to=State.APPROVED,
            stage=Stage.NONE,
            action="approved",
            by=by,
            note=note,
            require=Q(review_stage=post.review_stage),
        )
        if post.scheduled_at is not None and post.scheduled_at > timezone.now():
            _schedule(post, allowed=frozenset({State.APPROVED}), by=by)
            notify.to_team(post=post, kind=Notification.Kind.APPROVED, by=by)
        else:
            notify.to_team(post=post, kind=Notification.Kind.NEEDS_NEW_TIME, by=by)
    return post


def post_request_changes(*, post_id: int, by: Reviewer, note: str) -> Post:
    """Send the post back to its team with ``note`` (required). Raises
    ``ReviewRefusedError`` (empty note, not in review, wrong role)."""
    if not note.strip():
        raise ReviewRefusedError("Say what should change.")
    with transaction.atomic():
        post = _locked(post_id)
        _check_may_review(post, by)
        _move(
            post,
            allowed=frozenset({State.IN_REVIEW}),
            to=State.CHANGES_REQUESTED,
            stage=Stage.NONE,
            action="changes_requested",
            by=by,
            note=note.strip(),
            require=Q(review_stage=post.review_stage),
        )
        notify.to_team(
            post=post, kind=Notification.Kind.CHANGES_REQUESTED, by=by, note=note
        )
    return post


def post_remind_reviewers(*, post_id: int) -> bool:
    """Remind the reviewers of an In review post once per review round.
    Returns whether a reminder went out (False: not in review or already
    reminded)."""
    with transaction.atomic():
        updated = Post.objects.filter(
            pk=post_id, editorial_state=State.IN_REVIEW, review_reminded_at__isnull=True
        ).update(review_reminded_at=timezone.now())
        if updated != 1:
            return False
        post = Post.objects.select_related("workspace").get(pk=post_id)
        notify.review_requested(post=post, exclude_user=None, reminder=True)
    return True
