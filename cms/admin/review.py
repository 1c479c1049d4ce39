"""The admin's review pages: a post's review page (preview, history, comments,
approve / request changes, preview links), "Waiting for me" with the
notification list, and the post's media for reviewers.

These pages check access themselves (``workspace_ids_reviewed_by``): client
reviewers, whom the rest of the admin shows nothing of their workspace, reach
only posts waiting for the client's review, and nothing else.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cms.models import Post, PostMedia
from cms.review import notify
from cms.review.comments import (
    CommentError,
    post_comment_create,
    post_comment_resolve,
)
from cms.review.email import email_choice_of, email_setting_token
from cms.review.links import (
    preview_link_create,
    preview_link_revoke,
    preview_link_token,
    preview_link_url,
)
from cms.review.models import NotificationSetting, PreviewLink
from cms.review.selectors import (
    notifications_for,
    post_comment_threads,
    post_review_history,
    posts_waiting_for,
)
from cms.review.transitions import (
    Reviewer,
    ReviewRefusedError,
    post_approve,
    post_request_changes,
    post_submit_for_review,
    review_refusal,
)
from cms.review.views import post_preview_context
from media_library.streaming import stored_file_response
from workspaces.models import WorkspaceMembership
from workspaces.selectors import (
    home_time_zone_for,
    workspace_ids_reviewed_by,
    workspace_role_of,
)

Role = WorkspaceMembership.Role
LIST_LIMIT = 50


def review_urls(model_admin: Any) -> list[URLPattern]:
    """The review routes, for ``PostAdmin.get_urls`` (wrapped in ``admin_view``)."""
    wrap = model_admin.admin_site.admin_view
    own = {"model_admin": model_admin}
    return [
        path("review/", wrap(review_inbox), own, name="cms_post_review_inbox"),
        path(
            "review/notifications/read/",
            wrap(notifications_mark_read),
            own,
            name="cms_post_notifications_read",
        ),
        path("<int:post_id>/review/", wrap(review_page), own, name="cms_post_review"),
        path(
            "<int:post_id>/review/media/<int:position>/",
            wrap(review_media),
            own,
            name="cms_post_review_media",
        ),
    ]


class NoLongerWaitingError(Http404):
    """A client reviewer opened a post of their workspace that does not wait
    for the client (a 404 to every caller that does not catch it)."""


def _reviewable_post(request: HttpRequest, post_id: int) -> tuple[Post, str | None]:
    """The post and the user's role in its workspace; 404 for anyone who may
    not open it (another workspace), ``NoLongerWaitingError`` for a client
    reviewer and a post not waiting for the client."""
    allowed = workspace_ids_reviewed_by(request.user)
    posts = Post.objects.select_related("workspace")
    if allowed is not None:
        posts = posts.filter(workspace_id__in=allowed)
    post = posts.filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post in your workspaces.")
    role = workspace_role_of(request.user, post.workspace_id)
    if role == Role.CLIENT_REVIEWER and not (
        post.editorial_state == Post.EditorialState.IN_REVIEW
        and post.review_stage == Post.ReviewStage.CLIENT
    ):
        raise NoLongerWaitingError("This post is not waiting for your review.")
    return post, role


def review_page(
    request: HttpRequest, post_id: int, model_admin: Any
) -> HttpResponseBase:
    """GET: the review page. POST ``action``: ``approve``, ``changes``
    (``body`` = what should change), ``comment`` (``body``, optional
    ``parent``), ``resolve`` (``comment``), ``submit``, ``link_create``
    (``days``), ``link_revoke`` (``link``). Redirects back with a message."""
    try:
        post, role = _reviewable_post(request, post_id)
    except NoLongerWaitingError:
        # A client's notification outlives the review: say so instead of a
        # 404, naming nothing of a post the client may not see.
        messages.info(request, "That post is not waiting for your review now.")
        return HttpResponseRedirect(reverse("admin:cms_post_review_inbox"))
    if request.method == "POST":
        _act(request, post, role)
        post.refresh_from_db(fields=["editorial_state", "review_stage"])
        if (
            role == Role.CLIENT_REVIEWER
            and post.review_stage != Post.ReviewStage.CLIENT
        ):
            # Answered: the post is no longer theirs to see.
            return HttpResponseRedirect(reverse("admin:cms_post_review_inbox"))
        return HttpResponseRedirect(reverse("admin:cms_post_review", args=[post.pk]))
    is_team = role != Role.CLIENT_REVIEWER
    threads = post_comment_threads(post, for_team=is_team)
    context = {
        **model_admin.admin_site.each_context(request),
        **post_preview_context(
            post,
            lambda position: reverse(
                "admin:cms_post_review_media", args=[post.pk, position]
            ),
        ),
        "opts": model_admin.opts,
        "title": f"Review: {post.title}",
        "role": role,
        "is_team": is_team,
        "refusal": review_refusal(post=post, by=Reviewer.signed_in(request.user)),
        "may_submit": is_team
        and post.workspace.approval_policy != "none"
        and post.editorial_state
        in (Post.EditorialState.DRAFT, Post.EditorialState.CHANGES_REQUESTED),
        "history": list(post_review_history(post).select_related("actor")),
        "open_threads": [thread for thread in threads if not thread.is_resolved],
        "resolved_threads": [thread for thread in threads if thread.is_resolved],
        "links": _links(post) if is_team else [],
        "new_link": request.session.pop(f"review-link-{post.pk}", ""),
    }
    return TemplateResponse(request, "admin/cms/post/review.html", context)


def _links(post: Post) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "link": link,
            "url": preview_link_url(preview_link_token(link)),
            "is_live": link.revoked_at is None and link.expires_at > now,
        }
        for link in PreviewLink.objects.filter(post=post).select_related("created_by")
    ]


def _act(request: HttpRequest, post: Post, role: str | None) -> None:
    action = request.POST.get("action", "")
    body = request.POST.get("body", "")
    by = Reviewer.signed_in(request.user)
    is_team = role != Role.CLIENT_REVIEWER
    try:
        if action == "approve":
            post_approve(post_id=post.pk, by=by, note=body.strip())
            messages.success(request, "Approved.")
        elif action == "changes":
            post_request_changes(post_id=post.pk, by=by, note=body)
            messages.success(request, "Changes requested; the team was told.")
        elif action == "comment":
            parent = request.POST.get("parent", "")
            post_comment_create(
                post=post,
                body=body,
                user=request.user,
                parent_id=int(parent) if parent.isdigit() else None,
                is_internal=is_team and request.POST.get("internal") == "on",
            )
            messages.success(request, "Comment added.")
        elif action == "resolve" and is_team:
            post_comment_resolve(
                comment_id=int(request.POST.get("comment", "0") or 0),
                post=post,
                user=request.user,
            )
            messages.success(request, "Resolved; the thread is folded away.")
        elif action == "submit" and is_team:
            post_submit_for_review(post_id=post.pk, user=request.user)
            messages.success(request, "Sent for review.")
        elif action == "link_create" and is_team:
            days = request.POST.get("days", "")
            token = preview_link_create(
                post=post, user=request.user, days=int(days) if days.isdigit() else 14
            )
            request.session[f"review-link-{post.pk}"] = preview_link_url(token)
            messages.success(request, "Preview link created: copy it below.")
        elif action == "link_revoke" and is_team:
            link_id = request.POST.get("link", "")
            if (
                link_id.isdigit()
                and PreviewLink.objects.filter(pk=int(link_id), post=post).exists()
            ):
                preview_link_revoke(link_id=int(link_id))
            messages.success(request, "The link no longer works.")
        else:
            messages.error(request, "That is not something you can do here.")
    except (ReviewRefusedError, CommentError) as refused:
        messages.error(request, str(refused))


@require_safe
def review_media(
    request: HttpRequest, post_id: int, position: int, model_admin: Any
) -> HttpResponseBase:
    """The post's media file at ``position`` for whoever may review the post."""
    post, _ = _reviewable_post(request, post_id)
    item = (
        PostMedia.objects.filter(post=post, position=position)
        .select_related("asset")
        .first()
    )
    if item is None:
        raise Http404
    return stored_file_response(
        item.asset.file.name or "",
        content_type=item.asset.mime_type or "application/octet-stream",
        range_header=request.headers.get("Range", ""),
        cache_control="private, max-age=300",
    )


@require_safe
def review_inbox(request: HttpRequest, model_admin: Any) -> HttpResponse:
    """ "Waiting for me" and the user's notifications."""
    waiting = posts_waiting_for(request.user)
    user_id = cast(int, request.user.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Waiting for me",
        "waiting": list(waiting[:LIST_LIMIT]),
        "waiting_count": waiting.count(),
        "notifications": list(notifications_for(request.user)[:LIST_LIMIT]),
        "unread_count": notifications_for(request.user, unread_only=True).count(),
        "home_zone": home_time_zone_for(request.user),
        "email_choice": NotificationSetting.Email(email_choice_of(user_id)).label,
        "email_setting_url": reverse(
            "review_email_setting", args=[email_setting_token(user_id)]
        ),
    }
    return TemplateResponse(request, "admin/cms/post/review_inbox.html", context)


@require_POST
def notifications_mark_read(request: HttpRequest, model_admin: Any) -> HttpResponse:
    """Mark all of the user's notifications read."""
    notify.notifications_mark_read(user=request.user)
    return HttpResponseRedirect(reverse("admin:cms_post_review_inbox"))
