from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from cms.admin.evidence import consent_evidence_html
from cms.admin.post_form import PostAdminForm
from cms.admin.review import review_urls
from cms.models import Post, PostMedia
from cms.review.transitions import post_after_reschedule, post_content_edited
from cms.scheduling import format_local
from cms.services import post_save
from tiktok_integration.models import PublishJob
from tiktok_integration.selectors import (
    POST_STATE_LABELS,
    post_list_with_targets,
    post_state_for,
)
from tiktok_integration.services.reschedule import post_jobs_follow
from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedInline

#: Who may open a post's metrics page (the analytics admin's view permission).
METRICS_PERMISSION = "tiktok_integration.view_tiktokvideo"


class PostMediaInline(WorkspaceScopedInline):
    model = PostMedia
    extra = 0
    autocomplete_fields = ["asset"]
    ordering = ["position"]


def _chip(job: PublishJob) -> SafeString:
    account = job.account
    avatar = (
        format_html(
            '<img src="{}" alt="" width="20" height="20" class="postdeck-avatar">',
            account.avatar_url,
        )
        if account.avatar_url
        else ""
    )
    link = (
        format_html(' <a href="{}">on TikTok</a>', job.public_url)
        if job.public_url
        else ""
    )
    return format_html(
        '<span class="postdeck-chip postdeck-chip-{}">{}{} · {}{}</span>',
        job.status,
        avatar,
        account,
        job.get_status_display(),
        link,
    )


@admin.register(Post)
class PostAdmin(WorkspaceScopedAdmin):
    form = PostAdminForm
    list_display = [
        "title",
        "workspace",
        "local_schedule",
        "state",
        "editorial_state",
        "targets",
        "media_count",
    ]
    list_filter = [
        ("workspace", admin.RelatedOnlyFieldListFilter),
        "editorial_state",
        "scheduled_at",
    ]
    list_select_related = ["workspace"]
    search_fields = ["title", "caption", "external_id"]
    search_help_text = "Search title, caption or external id."
    date_hierarchy = "scheduled_at"
    readonly_fields = [
        "local_schedule",
        "targets_detail",
        "created_by_name",
        "created_at",
        "updated_at",
    ]
    inlines = [PostMediaInline]
    fieldsets = [
        (None, {"fields": ["workspace", "title", "caption"]}),
        (
            "Schedule",
            {
                "fields": [
                    ("scheduled_date", "scheduled_time"),
                    "time_zone",
                    "scheduled_fold",
                    "local_schedule",
                ],
                "description": "Type the date and time as the clocks show them in "
                "the chosen zone; the accounts' jobs follow this time.",
            },
        ),
        ("Accounts", {"fields": ["targets_detail"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "external_id",
                    "created_by_name",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    class Media:
        css = {"all": ["postdeck/posts.css", "review/review.css"]}

    def get_urls(self) -> list[URLPattern]:
        """The composer (issue 11) next to the classic form: ``compose/`` for
        a new post, ``<id>/compose/`` to edit one, plus its panel and live
        state endpoints."""
        # Imported here: the composer's views import the TikTok app's admin
        # package, which registers its ModelAdmins after this one.
        from tiktok_integration.admin.composer.views import (
            compose_page,
            compose_panels,
            compose_status,
        )

        wrap = self.admin_site.admin_view
        own = {"model_admin": self}
        return [
            path("compose/", wrap(compose_page), own, name="cms_post_compose"),
            path(
                "compose/panels/",
                wrap(compose_panels),
                own,
                name="cms_post_compose_panels",
            ),
            path(
                "<int:post_id>/compose/",
                wrap(compose_page),
                own,
                name="cms_post_compose_edit",
            ),
            path(
                "<int:post_id>/compose/status/",
                wrap(compose_status),
                own,
                name="cms_post_compose_status",
            ),
            *review_urls(self),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The metrics page only has something to show once an account
        # published, and only to those who may see analytics.
        published = (
            object_id.isdigit()
            and request.user.has_perm(METRICS_PERMISSION)
            and PublishJob.objects.filter(
                post_id=int(object_id), status=PublishJob.Status.PUBLISHED
            ).exists()
        )
        jobs = (
            list(
                PublishJob.objects.filter(post_id=int(object_id))
                .select_related("account")
                .order_by("account__username", "pk")
            )
            if object_id.isdigit()
            else []
        )
        extra_context = {
            **(extra_context or {}),
            # The summary above the form: what staff act on first.
            "summary_jobs": jobs,
            "summary_state": POST_STATE_LABELS[post_state_for(jobs)],
            "metrics_url": reverse(
                "admin:tiktok_integration_tiktokvideo_post", args=[int(object_id)]
            )
            if published
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        posts = (
            super()
            .get_queryset(request)
            .annotate(n_media=Count("post_media", distinct=True))
        )
        return post_list_with_targets(posts)

    @admin.display(description="Scheduled (post's time zone)", ordering="scheduled_at")
    def local_schedule(self, obj: Post) -> str:
        if obj.scheduled_at is None:
            return "No time yet"
        return format_local(obj.scheduled_at, obj.time_zone or "UTC")

    @admin.display(description="State")
    def state(self, obj: Post) -> str:
        return POST_STATE_LABELS[post_state_for(obj.publish_jobs.all())]

    @admin.display(description="Accounts")
    def targets(self, obj: Post) -> SafeString | str:
        jobs = list(obj.publish_jobs.all())
        if not jobs:
            return "—"
        return format_html_join(" ", "{}", ((_chip(job),) for job in jobs))

    @admin.display(description="Each account")
    def targets_detail(self, obj: Post) -> SafeString | str:
        if obj.pk is None:
            return "Accounts are chosen in the composer after saving."
        jobs = list(obj.publish_jobs.all())
        if not jobs:
            return "No account publishes this post yet."
        return format_html_join(
            "",
            '<div class="postdeck-target">{} <a href="{}">job {}</a>{}</div>',
            (
                (
                    _chip(job),
                    reverse(
                        "admin:tiktok_integration_publishjob_change", args=[job.pk]
                    ),
                    job.pk,
                    consent_evidence_html(
                        job, obj.time_zone or obj.workspace.time_zone
                    ),
                )
                for job in jobs
            ),
        )

    @admin.display(description="Created by")
    def created_by_name(self, obj: Post) -> str:
        # A name, not a link: most staff may not open user pages (a 403).
        user = obj.created_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    @admin.display(description="Media", ordering="n_media")
    def media_count(self, obj: Post) -> int:
        return obj.n_media  # type: ignore[attr-defined]

    def save_model(
        self, request: HttpRequest, obj: Post, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        post_save(post=obj)
        if change:
            post_jobs_follow(post=obj)
            post_after_reschedule(post_id=obj.pk, user=request.user)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        edited = "caption" in form.changed_data or any(
            formset.has_changed() for formset in formsets
        )
        if change and edited:
            post_content_edited(post_id=form.instance.pk, user=request.user)
