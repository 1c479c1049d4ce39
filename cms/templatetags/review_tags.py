"""Review blocks other pages include, each loading its own data:
``{% review_waiting_block %}`` (the dashboard's "Waiting for me") and
``{% post_review_panel post %}`` (state and open comments, in the composer and
on the post page)."""

from __future__ import annotations

from typing import Any

from django import template

from cms.review.selectors import (
    notifications_for,
    post_comment_threads,
    posts_waiting_for,
)
from workspaces.models import Workspace

register = template.Library()
DASHBOARD_LIMIT = 10


@register.inclusion_tag("admin/cms/post/_review_waiting_block.html", takes_context=True)
def review_waiting_block(context: Any) -> dict[str, Any]:
    """Posts that need the signed-in user's action (``posts_waiting_for``; at
    most 10, with the total) and their unread notification count. Three
    queries."""
    user = context["request"].user
    waiting = posts_waiting_for(user)
    return {
        "waiting": list(waiting[:DASHBOARD_LIMIT]),
        "waiting_count": waiting.count(),
        "unread_count": notifications_for(user, unread_only=True).count(),
    }


@register.inclusion_tag("admin/cms/post/_review_panel.html")
def post_review_panel(post: Any) -> dict[str, Any]:
    """A post's editorial state, a link to its review page, and its open
    comment threads (resolved ones counted, folded away). Shown only where
    the workspace asks for approval or the post has comments."""
    threads = (
        post_comment_threads(post, for_team=True)
        if post is not None and post.pk
        else []
    )
    asks_approval = (
        post is not None
        and post.pk is not None
        and post.workspace.approval_policy != Workspace.ApprovalPolicy.NONE
    )
    return {
        "show": asks_approval or bool(threads),
        "post": post,
        "open_threads": [thread for thread in threads if not thread.is_resolved],
        "resolved_count": sum(1 for thread in threads if thread.is_resolved),
    }
