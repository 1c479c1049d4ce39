"""PostingQueue (an account's weekly posting slots, pausable) and QueueSlot
(one weekday + local time in the workspace's zone).

Slots are a plan, not reservations: a slot is taken when a post of the account
is planned at its instant, so removing or moving a post frees it
(``tiktok_integration.queues``).
"""

from __future__ import annotations

from django.db import models

from .accounts import TikTokAccount


class PostingQueue(models.Model):
    """The weekly posting slots of one TikTok account."""

    WORKSPACE_PATH = "account__workspace"

    account = models.OneToOneField(
        TikTokAccount,
        on_delete=models.CASCADE,
        related_name="posting_queue",
        verbose_name="account",
    )
    paused = models.BooleanField(
        "paused",
        default=False,
        help_text="A paused queue offers no slots; posts already planned keep "
        "their times.",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name = "posting queue"
        ordering = ["account"]

    def __str__(self) -> str:
        return f"Queue of {self.account}"


class QueueSlot(models.Model):
    """A weekly posting time: ``weekday`` at ``local_time`` in the workspace's
    time zone (e.g. Monday 09:00 Europe/Rome)."""

    WORKSPACE_PATH = "queue__account__workspace"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    queue = models.ForeignKey(
        PostingQueue,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name="queue",
    )
    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices)
    local_time = models.TimeField(
        "time", help_text="Wall-clock time in the workspace's time zone."
    )

    class Meta:
        verbose_name = "posting slot"
        ordering = ["queue", "weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "weekday", "local_time"],
                name="queue_slot_unique_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.local_time:%H:%M}"
