"""The client's preview page, outside the admin: ``/review/<token>/``.

Anyone holding a live link (``cms.review.links``) sees the post as TikTok
will show it (video or photos, caption, account) with its open comments, and,
when the workspace allows reviews without an account and the post waits for
the client, approves or asks for changes, giving a name that is recorded.
Forms are CSRF-protected; the page sends ``Referrer-Policy: same-origin`` so
the token in its URL never reaches another site (avatars, links), and is never
cached. Not ``no-referrer``: under it Chromium posts the page's own forms with
``Origin: null``, which Django's CSRF check rightly refuses. An invalid,
expired or revoked link is one 404 page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cms.models import Post, PostMedia
from cms.review.comments import CommentError, post_comment_create
from cms.review.links import PreviewLinkInvalidError, preview_link_resolve
from cms.review.models import PostReviewEvent, PreviewLink
from cms.review.selectors import post_comment_threads
from cms.review.transitions import (
    Reviewer,
    ReviewRefusedError,
    post_approve,
    post_request_changes,
)
from media_library.streaming import stored_file_response
from tiktok_integration.selectors import post_preview_accounts

NAME_COOKIE_MAX = 150


def post_preview_context(post: Post, media_url: Any) -> dict[str, Any]:
    """What a preview shows, for the public page and the admin review page:
    the post, its media in order with a URL each (``media_url(position)``),
    whether it is a video, and its target accounts (username, display name,
    avatar). Three queries."""
    media = list(
        PostMedia.objects.filter(post=post)
        .select_related("asset")
        .only("position", "asset__kind", "asset__mime_type", "asset__file")
        .order_by("position")
    )
    items = [
        {
            "url": media_url(item.position),
            "kind": item.asset.kind,
            "mime": item.asset.mime_type,
        }
        for item in media
    ]
    return {
        "post": post,
        "media_items": items,
        "is_video": bool(items) and items[0]["kind"] == "video",
        "accounts": post_preview_accounts(post_id=post.pk),
    }


def _link_or_404(token: str) -> PreviewLink:
    try:
        return preview_link_resolve(token)
    except PreviewLinkInvalidError as error:
        raise Http404(
            "This preview link is not valid: it expired, was revoked or is wrong."
        ) from error


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _may_act(link: PreviewLink) -> bool:
    post = link.post
    return (
        post.workspace.allow_link_reviews
        and post.editorial_state == Post.EditorialState.IN_REVIEW
        and post.review_stage == Post.ReviewStage.CLIENT
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preview_page(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET: the preview. POST ``action`` = ``approve`` | ``changes`` |
    ``comment`` with ``name`` (required), ``body`` (the note or comment) and
    optional ``parent`` (a comment id to reply to); redirects back with a
    result message (``?done=``) or re-renders with ``error``."""
    link = _link_or_404(token)
    post = link.post
    error = ""
    if request.method == "POST":
        error = _act(request, link)
        if not error:
            done = request.POST.get("action", "comment")
            return _private(
                HttpResponseRedirect(
                    reverse("review_preview", args=[token]) + f"?done={done}"
                )
            )
    context = {
        **post_preview_context(
            post,
            lambda position: reverse("review_preview_media", args=[token, position]),
        ),
        "token": token,
        "link": link,
        "open_threads": [
            thread
            for thread in post_comment_threads(post, for_team=False)
            if not thread.is_resolved
        ],
        "may_act": _may_act(link),
        "allows_link_reviews": post.workspace.allow_link_reviews,
        "done": request.GET.get("done", ""),
        "error": error,
        "name": request.POST.get("name", ""),
        "decided": PostReviewEvent.objects.filter(
            post=post, via=PostReviewEvent.Via.LINK
        )
        .order_by("-at", "-pk")
        .first(),
    }
    response = render(
        request, "review/preview.html", context, status=400 if error else 200
    )
    return _private(response)


def _act(request: HttpRequest, link: PreviewLink) -> str:
    """Do what the form asked; an error sentence, or "" when done."""
    name = request.POST.get("name", "").strip()[:NAME_COOKIE_MAX]
    body = request.POST.get("body", "")
    action = request.POST.get("action", "")
    if not link.post.workspace.allow_link_reviews:
        return "This workspace takes reviews from signed-in reviewers only."
    if not name:
        return "Give your name, so the team knows who answered."
    by = Reviewer(user=None, name=name, via=PostReviewEvent.Via.LINK)
    try:
        if action == "approve":
            post_approve(post_id=link.post_id, by=by, note=body.strip())
        elif action == "changes":
            post_request_changes(post_id=link.post_id, by=by, note=body)
        elif action == "comment":
            parent = request.POST.get("parent", "")
            post_comment_create(
                post=link.post,
                body=body,
                author_name=name,
                parent_id=int(parent) if parent.isdigit() else None,
            )
        else:
            return "Choose approve, request changes or comment."
    except (ReviewRefusedError, CommentError) as refused:
        return str(refused)
    return ""


@require_safe
def preview_media(request: HttpRequest, token: str, position: int) -> HttpResponseBase:
    """The post's media file at ``position`` for a live link (ranges answered)."""
    link = _link_or_404(token)
    item = (
        PostMedia.objects.filter(post_id=link.post_id, position=position)
        .select_related("asset")
        .first()
    )
    if item is None:
        raise Http404
    response = stored_file_response(
        item.asset.file.name or "",
        content_type=item.asset.mime_type or "application/octet-stream",
        range_header=request.headers.get("Range", ""),
        cache_control="private, no-store",
    )
    return _private(response)
