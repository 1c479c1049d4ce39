"""TikTok accounts: health, creator info, connect, re-check and disconnect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from tiktok_integration.admin.account_card import (
    account_card_for,
    creator_allows,
    expiry_words,
)
from tiktok_integration.client import TikTokError
from tiktok_integration.client.facts import CAP_WINDOW_SECONDS
from tiktok_integration.composer import CreatorRules
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.services.accounts import (
    tiktok_account_check_creator_info,
    tiktok_account_disconnect,
    tiktok_account_sync_profile,
)
from tiktok_integration.services.data_deletion import (
    AccountStillConnectedError,
    deletion_summary,
    tiktok_account_delete_data,
)
from tiktok_integration.services.tokens import ReconnectRequiredError
from workspaces.admin_scoping import WorkspaceScopedAdmin
from workspaces.selectors import workspace_list_for


def creator_card_html(obj: TikTokAccount) -> str:
    """What TikTok last said the creator may post (§4.2), as staff should see it
    (§8: nickname and avatar shown, only the offered privacy options, in
    TikTok's words). A disconnected account says so instead."""
    if obj.status == TikTokAccount.Status.DISCONNECTED:
        return format_html(
            "{}", "Disconnected: reconnect the account to post with it again."
        )
    allows = creator_allows(obj)
    if allows is None:
        return "Not checked yet: use 'Check with TikTok now' on the account page."
    info = CreatorRules.from_snapshot(obj.creator_info).info
    return format_html(
        '<div class="creator-card">{}<strong>{}</strong> @{}<br>'
        "Can post now: {}{}<br>Who can view: {}<br>{}<br>Longest video: {}<br>{}</div>",
        format_html(
            '<img src="{}" alt="" width="48" height="48" class="postdeck-avatar">',
            info.avatar_url,
        )
        if info.avatar_url
        else "",
        info.nickname,
        info.username,
        "yes" if allows.can_post else "no",
        f" ({allows.blocked_reason})" if allows.blocked_reason else "",
        ", ".join(allows.who_can_view) or "—",
        " · ".join(allows.interactions),
        allows.longest_video,
        "TikTok offers only 'Only me' until the app passes TikTok's audit, and "
        "the account must be private."
        if allows.only_private
        else "",
    )


ACCOUNT_FIELDS = (
    "workspace",
    "username",
    "display_name",
    "open_id",
    "status",
    "status_reason",
    "access_expiry",
    "refresh_expiry",
    "granted_scopes",
    "is_verified",
    "follower_count",
    "likes_count",
    "video_count",
    "connected_by_name",
    "connected_at",
    "last_refreshed_at",
    "creator_info_fetched_at",
)


@admin.register(TikTokAccount)
class TikTokAccountAdmin(WorkspaceScopedAdmin):
    change_list_template = "admin/tiktok_integration/tiktokaccount/change_list.html"
    change_form_template = "admin/tiktok_integration/tiktokaccount/change_form.html"
    # A list staff read, not a table of tokens: who, in which workspace, the
    # connection in words, until when it lasts, today's posts and the queue.
    list_display = [
        "account_label",
        "workspace",
        "connection",
        "connection_ends",
        "posts_today",
        "last_published",
        "queue",
    ]
    list_display_links = ["account_label"]
    list_filter = ["status", ("workspace", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["workspace", "posting_queue"]
    search_fields = ["username", "display_name", "open_id"]
    search_help_text = "Search by @username, display name or open id."
    # Tokens are never listed here: EncryptedTextField is not editable, and the
    # admin shows only their expiry.
    fields = ACCOUNT_FIELDS
    readonly_fields = tuple(field for field in ACCOUNT_FIELDS if field != "workspace")
    actions = ["delete_stored_data"]

    @admin.action(
        description="Delete stored TikTok data of selected disconnected accounts",
        permissions=["change"],
    )
    def delete_stored_data(
        self, request: HttpRequest, queryset: QuerySet[TikTokAccount]
    ) -> None:
        """Staff's side of the Privacy Policy's deletion promise: per account,
        say what was deleted, or that it must be disconnected first."""
        for account in queryset:
            label = str(account)
            try:
                deleted = tiktok_account_delete_data(account_id=account.pk)
            except AccountStillConnectedError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(request, f"{label}: deleted {deletion_summary(deleted)}.")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TikTokAccount]:
        day_ago = timezone.now() - timedelta(seconds=CAP_WINDOW_SECONDS)
        published = Q(publish_jobs__status=PublishJob.Status.PUBLISHED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_posts_today=Count(
                    "publish_jobs",
                    filter=published & Q(publish_jobs__published_at__gte=day_ago),
                ),
                last_published_at=Max("publish_jobs__published_at", filter=published),
            )
            # Aggregates drop Meta.ordering; pages (and autocomplete) need one.
            .order_by("workspace", "username")
        )

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/recheck/",
                wrap(self.recheck_view),
                name="{}_{}_recheck".format(*info),
            ),
            path(
                "<path:object_id>/disconnect/",
                wrap(self.disconnect_view),
                name="{}_{}_disconnect".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            "title": "TikTok accounts",
            "connect_workspaces": list(workspace_list_for(request.user)),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def _post_only_object(self, request: HttpRequest, object_id: str) -> TikTokAccount:
        if request.method != "POST":
            raise PermissionDenied("Use the button on the account page.")
        account = self.get_object(request, object_id)
        if account is None or not self.has_change_permission(request, account):
            raise Http404("No such TikTok account in your workspaces.")
        return account

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[TikTokAccount], search_term: str
    ) -> tuple[QuerySet[TikTokAccount], bool]:
        results, duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # Forms choosing an account (the job form) never offer a
            # disconnected one.
            results = results.exclude(status=TikTokAccount.Status.DISCONNECTED)
        return results, duplicates

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        account = self.get_object(request, object_id)
        context = {
            "card": account_card_for(account) if account is not None else None,
            "posts_today": self.posts_today(account) if account is not None else "",
            "title": "TikTok account",
            "subtitle": None,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def recheck_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        account = self._post_only_object(request, object_id)
        back = HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
        )
        if account.status == TikTokAccount.Status.DISCONNECTED:
            self.message_user(
                request,
                "This account is disconnected; reconnect it to check it with TikTok.",
                messages.WARNING,
            )
            return back
        try:
            rules = tiktok_account_check_creator_info(account_id=account.pk)
            tiktok_account_sync_profile(account_id=account.pk)
        except ReconnectRequiredError as error:
            self.message_user(
                request,
                f"This account needs reconnecting: {error.reason}",
                messages.ERROR,
            )
        except ComeBackLaterError as error:
            self.message_user(
                request,
                f"Could not re-check now ({error.reason}); try again in "
                f"{max(1, round(error.delay))} s.",
                messages.WARNING,
            )
        except TikTokError as error:
            self.message_user(
                request, f"Could not re-check: {error.staff_message}", messages.ERROR
            )
        else:
            if rules.can_post:
                self.message_user(request, "TikTok says this account can post now.")
            else:
                self.message_user(
                    request,
                    f"TikTok says this account cannot post now: {rules.blocked_reason}",
                    messages.WARNING,
                )
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
        )

    def disconnect_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        account = self._post_only_object(request, object_id)
        self.message_user(request, tiktok_account_disconnect(account_id=account.pk))
        return HttpResponseRedirect(
            reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
        )

    @admin.display(description="Connected by")
    def connected_by_name(self, obj: TikTokAccount) -> str:
        # A name, not a link: most staff may not open user pages (a 403).
        user = obj.connected_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description="Account", ordering="username")
    def account_label(self, obj: TikTokAccount) -> str:
        avatar = obj.avatar_url or (obj.creator_info or {}).get("avatar_url") or ""
        return format_html(
            '<span class="postdeck-account-label">{}<span><strong>{}</strong><br>'
            '<span class="postdeck-muted">{}</span></span></span>',
            format_html(
                '<img src="{}" alt="" width="36" height="36" class="postdeck-avatar">',
                avatar,
            )
            if avatar
            else "",
            obj.display_name or str(obj),
            str(obj),
        )

    @admin.display(description="Connection", ordering="status")
    def connection(self, obj: TikTokAccount) -> str:
        return format_html(
            '<span class="postdeck-badge postdeck-account-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description="Connection ends", ordering="refresh_token_expires_at")
    def connection_ends(self, obj: TikTokAccount) -> str:
        if obj.status == TikTokAccount.Status.DISCONNECTED:
            return "—"
        return expiry_words(obj.refresh_token_expires_at)

    @admin.display(description="Posting queue")
    def queue(self, obj: TikTokAccount) -> str:
        queue = getattr(obj, "posting_queue", None)
        if queue is not None:
            return format_html(
                '<a href="{}">{}</a>',
                reverse(
                    "admin:tiktok_integration_postingqueue_change", args=[queue.pk]
                ),
                "Paused" if queue.paused else "Open",
            )
        if obj.status == TikTokAccount.Status.DISCONNECTED:
            return "—"
        return format_html(
            '<a href="{}?account={}">{}</a>',
            reverse("admin:tiktok_integration_postingqueue_add"),
            obj.pk,
            "Set up",
        )

    @admin.display(description="Access token", ordering="access_token_expires_at")
    def access_expiry(self, obj: TikTokAccount) -> str:
        return expiry_words(obj.access_token_expires_at)

    @admin.display(description="Refresh token", ordering="refresh_token_expires_at")
    def refresh_expiry(self, obj: TikTokAccount) -> str:
        return expiry_words(obj.refresh_token_expires_at)

    @admin.display(description="Posts in 24 h", ordering="n_posts_today")
    def posts_today(self, obj: TikTokAccount) -> str:
        count = getattr(obj, "n_posts_today", 0)
        return f"{count} / {settings.TIKTOK_DAILY_POST_CAP}"

    @admin.display(description="Last publish", ordering="last_published_at")
    def last_published(self, obj: TikTokAccount) -> str:
        moment = getattr(obj, "last_published_at", None)
        return f"{timesince(moment, depth=1)} ago" if moment else "never"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts arrive through OAuth, never by typing tokens into a form.
        return False
