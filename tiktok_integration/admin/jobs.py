"""Publish jobs in the admin: the job list, change form, staff actions and the
"mark published" page. Its forms are in job_forms.py, its attempts inline in
attempts.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from cms.admin.content import METRICS_PERMISSION
from cms.models import Post
from cms.review.transitions import post_content_edited
from cms.scheduling import format_local
from tiktok_integration.admin.accounts import creator_card_html
from tiktok_integration.admin.attempts import PublishAttemptInline
from tiktok_integration.admin.dashboard import JOB_ACTIONS, job_act
from tiktok_integration.admin.job_forms import (
    STAFF_FIELDS,
    MarkPublishedForm,
    PublishJobForm,
    fetch_creator_info,
)
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.publishing.staff_actions import (
    ActionRefusedError,
    publish_job_cancel,
    publish_job_duplicate,
    publish_job_mark_published,
    publish_job_publish_now,
    publish_job_reconcile,
    publish_job_retry,
    publish_job_save,
)
from workspaces.admin_scoping import WorkspaceScopedAdmin, scope_queryset

SYSTEM_FIELDS = [
    "post_schedule",
    "status",
    "deferred_until",
    "deferred_reason",
    "creator_card",
    "lease_owner",
    "lease_expires_at",
    "lease_version",
    "attempt_count",
    "transient_failure_count",
    "next_action_at",
    "publish_id",
    "chunk_size",
    "total_chunks",
    "next_chunk",
    "bytes_confirmed",
    "last_tiktok_status",
    "fail_reason",
    "failure_message",
    "tiktok_post_ids",
    "public_url",
    "orphan_publish_ids",
    "media_sha256",
    "consent_snapshot",
    "init_requested_at",
    "final_chunk_sent_at",
    "claimed_at",
    "uploading_at",
    "processing_at",
    "sent_to_inbox_at",
    "published_at",
    "failed_at",
    "cancelled_at",
    "needs_review_at",
    "needs_confirmation_at",
    "paused_at",
    "created_at",
    "updated_at",
]


@admin.register(PublishJob)
class PublishJobAdmin(WorkspaceScopedAdmin):
    form = PublishJobForm
    change_form_template = "admin/tiktok_integration/publishjob/change_form.html"
    list_display = [
        "post",
        "account",
        "status",
        "mode",
        "scheduled_at",
        "deferred_until",
        "attempt_count",
        "outcome",
        "updated_at",
    ]
    list_filter = [
        "status",
        "mode",
        ("account", admin.RelatedOnlyFieldListFilter),
        ("post__workspace", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["post", "account"]
    search_fields = ["post__title", "publish_id", "account__username"]
    search_help_text = "Search by post title, publish id or @username."
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ["post", "account"]
    inlines = [PublishAttemptInline]
    actions = [
        "publish_now",
        "cancel_jobs",
        "retry_jobs",
        "duplicate_jobs",
        "reconcile_jobs",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "post",
                    "account",
                    "post_schedule",
                    "status",
                    ("deferred_until", "deferred_reason"),
                ]
            },
        ),
        ("Creator (from TikTok)", {"fields": ["creator_card"]}),
        (
            "What is sent",
            {
                "fields": [
                    "mode",
                    "source",
                    "privacy_level",
                    ("allow_comment", "allow_duet", "allow_stitch"),
                    ("brand_organic", "brand_content", "is_aigc"),
                    "cover_timestamp_ms",
                    ("photo_title", "photo_cover_index"),
                ],
                "description": "Checked against the creator's current TikTok "
                "settings when saved and again just before sending.",
            },
        ),
        (
            "Details",
            {
                # Internals staff rarely need: folded away below the summary.
                "classes": ["collapse"],
                "fields": [
                    field
                    for field in SYSTEM_FIELDS
                    if field
                    not in {
                        "post_schedule",
                        "status",
                        "deferred_until",
                        "deferred_reason",
                        "creator_card",
                    }
                ],
            },
        ),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            # A job being added has no outcome or progress yet.
            return [fs for fs in self.fieldsets if fs[0] != "Details"]
        return self.fieldsets

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The admin saves inside a transaction. Calling TikTok inside it would
        # hold the database for the whole call (on SQLite: the whole file, which
        # the built-in sandbox needs to answer), so ask before it starts.
        request.creator_info_checks = {}  # type: ignore[attr-defined]
        account_id = request.POST.get("account", "") if request.method == "POST" else ""
        # Only a direct post is checked against creator info (video.publish).
        if account_id.isdigit() and request.POST.get("mode") == PublishJob.Mode.DIRECT:
            accounts = scope_queryset(
                TikTokAccount.objects.filter(pk=int(account_id)), request
            )
            if accounts.exists():
                request.creator_info_checks = {  # type: ignore[attr-defined]
                    int(account_id): fetch_creator_info(account_id=int(account_id))
                }
        job = (
            (
                PublishJob.objects.only("post_id", "status").filter(pk=int(object_id))
            ).first()
            if object_id and object_id.isdigit()
            else None
        )
        # The metrics page only has something to show once the post is out.
        extra_context = {
            **(extra_context or {}),
            "metrics_url": reverse(
                "admin:tiktok_integration_tiktokvideo_post", args=[job.post_id]
            )
            if job is not None
            and job.status == PublishJob.Status.PUBLISHED
            and request.user.has_perm(METRICS_PERMISSION)
            else "",
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if (
            db_field.name == "account"
            and field is not None
            and field.queryset is not None
        ):
            # A disconnected account cannot be chosen for a new job.
            field.queryset = field.queryset.exclude(
                status=TikTokAccount.Status.DISCONNECTED
            )
        return field

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.creator_info_checks = getattr(request, "creator_info_checks", {})  # type: ignore[attr-defined]
        return form

    workspace_path = "post__workspace"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.status not in PublishJob.EDITABLE:
            # Claimed or beyond: what was sent is history.
            return [*SYSTEM_FIELDS, *STAFF_FIELDS]
        if obj is not None:
            return [*SYSTEM_FIELDS, "post", "account"]
        return SYSTEM_FIELDS

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # "Publish to TikTok" from a post: /add/?post=<id>.
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        post_id = request.GET.get("post")
        if post_id and post_id.isdigit():
            post = (
                scope_queryset(Post.objects.all(), request).filter(pk=post_id).first()
            )
            if post is not None:
                initial["post"] = post.pk
        return initial

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_publish_permission(request)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tiktok_integration.publish_publishjob")

    def save_model(
        self, request: HttpRequest, obj: PublishJob, form: Any, change: bool
    ) -> None:
        try:
            publish_job_save(job=obj)
        except ActionRefusedError as error:
            raise PermissionDenied(str(error)) from error
        if not change or form.has_changed():
            # A job's TikTok settings are part of what reviewers approved.
            post_content_edited(post_id=obj.post_id, user=request.user)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="{}_{}_act".format(*info),
            ),
            path(
                "<path:object_id>/mark-published/",
                self.admin_site.admin_view(self.mark_published_view),
                name="{}_{}_mark_published".format(*info),
            ),
            *super().get_urls(),
        ]

    def act_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST ``action`` (retry, cancel or publish_now): the dashboard's
        one-click buttons; back to ``next`` (a page of this site) after."""
        job = self.get_object(request, object_id)
        if job is None or not self.has_publish_permission(request):
            raise Http404("No such publish job in your workspaces.")
        action = request.POST.get("action", "")
        if request.method != "POST" or action not in JOB_ACTIONS:
            raise PermissionDenied("Use the buttons on the dashboard.")
        job_act(request, job=job, action=action)
        after = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            after = reverse("admin:tiktok_integration_publishjob_change", args=[job.pk])
        return HttpResponseRedirect(after)

    def mark_published_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        job = self.get_object(request, object_id)
        if job is None or not self.has_publish_permission(request):
            raise Http404("No such publish job in your workspaces.")
        form = MarkPublishedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                note = publish_job_mark_published(
                    publish_job_id=job.pk, url=form.cleaned_data["url"]
                )
            except ActionRefusedError as error:
                form.add_error("url", str(error))
            else:
                self.message_user(request, note)
                return HttpResponseRedirect(
                    reverse("admin:tiktok_integration_publishjob_change", args=[job.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": job,
            "title": f"Mark '{job}' as published",
            "form": form,
        }
        return TemplateResponse(
            request, "admin/tiktok_integration/publishjob/mark_published.html", context
        )

    @admin.display(description="Outcome")
    def outcome(self, obj: PublishJob) -> str:
        if obj.public_url:
            return format_html('<a href="{}">on TikTok</a>', obj.public_url)
        return obj.failure_message[:80]

    @admin.display(description="Goes out at")
    def post_schedule(self, obj: PublishJob) -> str:
        if obj.pk is None:
            return "The post's time (set on the post's page)."
        post = obj.post
        when = (
            format_local(obj.scheduled_at, post.time_zone or "UTC")
            if obj.scheduled_at
            else "—"
        )
        return format_html(
            '{} — follows <a href="{}">the post\'s time</a>; change it there.',
            when,
            reverse("admin:cms_post_change", args=[post.pk]),
        )

    @admin.display(description="Creator (from TikTok)")
    def creator_card(self, obj: PublishJob) -> str:
        if obj.account_id is None:
            return "Choose an account; its creator info appears after saving."
        return creator_card_html(obj.account)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[PublishJob],
        action: Callable[[PublishJob], str],
    ) -> None:
        done = refused = 0
        for job in queryset:
            try:
                note = action(job)
            except ActionRefusedError as error:
                refused += 1
                self.message_user(request, f"{job}: {error}", messages.WARNING)
            else:
                done += 1
                if queryset.count() == 1:
                    self.message_user(request, f"{job}: {note}")
        if done:
            self.message_user(
                request,
                ngettext("%d job done.", "%d jobs done.", done) % done,
            )
        if refused and not done:
            self.message_user(request, "Nothing was changed.", messages.WARNING)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[PublishJob]) -> None:
        self._each(
            request,
            queryset,
            lambda job: publish_job_publish_now(publish_job_id=job.pk),
        )

    @admin.action(description="Cancel", permissions=["publish"])
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[PublishJob]) -> None:
        self._each(
            request, queryset, lambda job: publish_job_cancel(publish_job_id=job.pk)
        )

    @admin.action(description="Retry safely", permissions=["publish"])
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[PublishJob]) -> None:
        self._each(
            request, queryset, lambda job: publish_job_retry(publish_job_id=job.pk)
        )

    @admin.action(
        description="Duplicate (held for confirmation)", permissions=["publish"]
    )
    def duplicate_jobs(
        self, request: HttpRequest, queryset: QuerySet[PublishJob]
    ) -> None:
        def duplicate(job: PublishJob) -> str:
            copy = publish_job_duplicate(publish_job_id=job.pk, user_id=request.user.pk)
            return f"copied as job {copy.pk}."

        self._each(request, queryset, duplicate)

    @admin.action(description="Reconcile with TikTok", permissions=["publish"])
    def reconcile_jobs(
        self, request: HttpRequest, queryset: QuerySet[PublishJob]
    ) -> None:
        for job in queryset:
            note = publish_job_reconcile(publish_job_id=job.pk)
            self.message_user(request, f"{job}: {note}")
