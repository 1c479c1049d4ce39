"""Posting queues in the admin: an account's weekly slots, inline, and whether
the queue is paused (``tiktok_integration.queues`` says which slots are free)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from cms.scheduling import format_local
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PostingQueue, QueueSlot
from tiktok_integration.queues import QUEUE_HORIZON, queue_next_free_slot
from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedInline


class QueueSlotInline(WorkspaceScopedInline):
    model = QueueSlot
    extra = 2
    fields = ["weekday", "local_time"]
    verbose_name = "weekly slot"
    verbose_name_plural = "Weekly slots (in the workspace's time zone)"


@admin.register(PostingQueue)
class PostingQueueAdmin(WorkspaceScopedAdmin):
    """One queue per account; slots are wall times in the workspace's zone."""

    workspace_path = "account__workspace"
    list_display = ["account", "workspace", "slot_summary", "paused"]
    list_filter = ["paused", "account__workspace"]
    list_editable = ["paused"]
    search_fields = ["account__username", "account__display_name"]
    search_help_text = "Search by account."
    autocomplete_fields = ["account"]
    fields = ["account", "paused", "time_zone", "next_free_slot"]
    readonly_fields = ["time_zone", "next_free_slot"]
    inlines = [QueueSlotInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PostingQueue]:
        return (
            super()
            .get_queryset(request)
            .select_related("account__workspace")
            .prefetch_related(
                Prefetch(
                    "slots",
                    queryset=QueueSlot.objects.order_by("weekday", "local_time"),
                )
            )
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: PostingQueue | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        # The account is the queue's identity: chosen once.
        return [*fields, "account"] if obj is not None else fields

    @admin.display(description="workspace", ordering="account__workspace__name")
    def workspace(self, obj: PostingQueue) -> str:
        return str(obj.account.workspace)

    @admin.display(description="slots")
    def slot_summary(self, obj: PostingQueue) -> str:
        slots = list(obj.slots.all())
        if not slots:
            return "No slots yet"
        return ", ".join(str(slot) for slot in slots)

    @admin.display(description="time zone")
    def time_zone(self, obj: PostingQueue) -> str:
        if obj.pk is None:
            return "The account's workspace's zone."
        return obj.account.workspace.time_zone

    @admin.display(description="next free slot")
    def next_free_slot(self, obj: PostingQueue) -> Any:
        if obj.pk is None:
            return "Save first."
        if obj.paused:
            return "None: the queue is paused."
        slot = queue_next_free_slot(obj.account_id, after=db_now())
        if slot is None:
            return f"None in the next {QUEUE_HORIZON.days // 7} weeks: add slots."
        return format_html(
            '<span class="queue-next-slot">{}</span>',
            format_local(slot.starts_at, slot.time_zone),
        )
