"""Analytics in the admin: the video list, an account's page (follower growth and
its videos, sortable), a post's page (each target's curves since publishing),
covers that never show broken, and the look-up of a pasted video id or link."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cms.models import Post
from tiktok_integration.analytics.covers import (
    analytics_covers_refresh,
    analytics_video_cover_url,
)
from tiktok_integration.analytics.export import export_response
from tiktok_integration.analytics.lookup import (
    VideoLookupError,
    analytics_video_lookup,
)
from tiktok_integration.analytics.selectors import (
    VIDEO_ORDERINGS,
    account_follower_series,
    account_video_list,
    post_target_curves,
)
from tiktok_integration.client import TikTokError
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import AnalyticsSyncState, TikTokAccount, TikTokVideo
from tiktok_integration.services.tokens import ReconnectRequiredError
from tiktok_integration.tasks import enqueue_analytics_sync_account
from workspaces.admin_scoping import WorkspaceScopedAdmin, scope_queryset

VIDEOS_PER_PAGE = 50
COVER_PLACEHOLDER = "tiktok_integration/cover-placeholder.svg"


def _sort_links(current: str) -> list[dict[str, Any]]:
    """Column headers of the account page's table: each toggles its order."""
    columns = []
    for key in VIDEO_ORDERINGS:
        is_current = current.lstrip("-") == key
        descending = current.startswith("-")
        target = key if is_current and descending else f"-{key}"
        columns.append(
            {
                "key": key,
                "query": f"?o={target}",
                "arrow": ("▼" if descending else "▲") if is_current else "",
            }
        )
    return columns


@admin.register(TikTokVideo)
class TikTokVideoAdmin(WorkspaceScopedAdmin):
    """Every synced video, with its latest counts and the job it is linked to."""

    change_list_template = "admin/tiktok_integration/tiktokvideo/change_list.html"
    workspace_path = "account__workspace"
    list_display = [
        "__str__",
        "account",
        "created_on_tiktok_at",
        "latest_view_count",
        "latest_like_count",
        "latest_comment_count",
        "latest_share_count",
        "linked_post",
    ]
    list_filter = [("account", admin.RelatedOnlyFieldListFilter), "link_method"]
    list_select_related = ["account", "publish_job__post"]
    search_fields = ["title", "description", "video_id"]
    search_help_text = "Search by caption or video id."
    date_hierarchy = "created_on_tiktok_at"
    actions = ["export_csv", "export_xlsx"]
    readonly_fields = [
        "account",
        "video_id",
        "publish_job",
        "link_method",
        "link_confidence",
        "created_on_tiktok_at",
        "title",
        "description",
        "share_url",
        "duration_seconds",
        "latest_view_count",
        "latest_like_count",
        "latest_comment_count",
        "latest_share_count",
        "last_sampled_at",
        "first_seen_at",
    ]
    fields = [*readonly_fields, "is_tracked"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Postdeck post", ordering="publish_job__post__title")
    def linked_post(self, obj: TikTokVideo) -> str:
        if obj.publish_job is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse(
                "admin:tiktok_integration_tiktokvideo_post",
                args=[obj.publish_job.post_id],
            ),
            obj.publish_job.post,
            obj.get_link_method_display(),
        )

    @admin.action(description="Export metrics of the selected videos (CSV)")
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[TikTokVideo]
    ) -> HttpResponse:
        return export_response(videos=queryset, file_format="csv")

    @admin.action(description="Export metrics of the selected videos (XLSX)")
    def export_xlsx(
        self, request: HttpRequest, queryset: QuerySet[TikTokVideo]
    ) -> HttpResponse:
        return export_response(videos=queryset, file_format="xlsx")

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "account/<int:account_id>/",
                wrap(self.account_view),
                name="{}_{}_account".format(*info),
            ),
            path(
                "account/<int:account_id>/sync/",
                wrap(self.sync_view),
                name="{}_{}_sync".format(*info),
            ),
            path(
                "post/<int:post_id>/",
                wrap(self.post_view),
                name="{}_{}_post".format(*info),
            ),
            path(
                "<int:video_pk>/cover/",
                wrap(self.cover_view),
                name="{}_{}_cover".format(*info),
            ),
            path("lookup/", wrap(self.lookup_view), name="{}_{}_lookup".format(*info)),
            *super().get_urls(),
        ]

    def _account(self, request: HttpRequest, account_id: int) -> TikTokAccount:
        if not self.has_view_permission(request):
            raise PermissionDenied
        account = (
            scope_queryset(TikTokAccount.objects.select_related("workspace"), request)
            .filter(pk=account_id)
            .first()
        )
        if account is None:
            raise Http404("No such TikTok account in your workspaces.")
        return account

    def account_view(self, request: HttpRequest, account_id: int) -> TemplateResponse:
        account = self._account(request, account_id)
        order = request.GET.get("o", "-posted")
        page = Paginator(
            account_video_list(account_id=account.pk, order=order), VIDEOS_PER_PAGE
        ).get_page(request.GET.get("page"))
        # Renew the page's stale covers in batches of 20 now, rather than one
        # call per image as the browser asks; on failure each image falls back
        # to the placeholder.
        with contextlib.suppress(
            ComeBackLaterError, ReconnectRequiredError, TikTokError
        ):
            analytics_covers_refresh(videos=page.object_list)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Analytics: {account}",
            "account": account,
            "state": AnalyticsSyncState.objects.filter(account=account).first(),
            "followers": account_follower_series(account_id=account.pk).as_json(),
            "page": page,
            "order": order,
            "columns": _sort_links(order),
        }
        return TemplateResponse(
            request, "admin/tiktok_integration/analytics/account.html", context
        )

    def sync_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        if request.method != "POST":
            raise PermissionDenied("Use the button on the analytics page.")
        account = self._account(request, account_id)
        enqueue_analytics_sync_account(account_id=account.pk)
        self.message_user(request, f"A sync of {account} is on its way.")
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokvideo_account", args=[account.pk])
        )

    def post_view(self, request: HttpRequest, post_id: int) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        post = (
            scope_queryset(Post.objects.select_related("workspace"), request)
            .filter(pk=post_id)
            .first()
        )
        if post is None:
            raise Http404("No such post in your workspaces.")
        charts: list[dict[str, Any]] = []
        targets = []
        for target in post_target_curves(post_id=post.pk):
            videos = []
            for video, (views, engagement) in target.videos:
                videos.append((video, len(charts), len(charts) + 1))
                charts.extend([views.as_json(), engagement.as_json()])
            targets.append({"job": target.job, "videos": videos})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Metrics: {post}",
            "post": post,
            "targets": targets,
            "charts": charts,
        }
        return TemplateResponse(
            request, "admin/tiktok_integration/analytics/post.html", context
        )

    def cover_view(self, request: HttpRequest, video_pk: int) -> HttpResponse:
        """302 to a working cover URL, renewed first when near its expiry; the
        placeholder when TikTok cannot give one now."""
        if not scope_queryset(
            TikTokVideo.objects.filter(pk=video_pk), request
        ).exists():
            raise Http404("No such video in your workspaces.")
        try:
            url = analytics_video_cover_url(video_pk=video_pk)
        except (ComeBackLaterError, ReconnectRequiredError, TikTokError):
            url = ""
        response = HttpResponseRedirect(url or static(COVER_PLACEHOLDER))
        response["Cache-Control"] = "private, max-age=600"
        return response

    def lookup_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        accounts = scope_queryset(
            TikTokAccount.objects.filter(status=TikTokAccount.Status.ACTIVE), request
        )
        found = None
        pasted = request.POST.get("video", "").strip()
        if request.method == "POST" and pasted:
            try:
                found = analytics_video_lookup(
                    text=pasted,
                    account_ids=list(accounts.values_list("pk", flat=True)),
                    now=timezone.now(),
                )
            except VideoLookupError as error:
                self.message_user(request, str(error), messages.WARNING)
            except ComeBackLaterError as error:
                self.message_user(
                    request,
                    f"{error.reason} Try again in {max(1, round(error.delay))} s.",
                    messages.WARNING,
                )
            else:
                self.message_user(request, f"Found and tracking: {found}.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Look up a TikTok video",
            "pasted": pasted,
            "video": found,
        }
        return TemplateResponse(
            request, "admin/tiktok_integration/analytics/lookup.html", context
        )
