"""The calendar's record of who moved a post, from where to where."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PostMove(models.Model):
    """One reschedule made on the calendar (drag and drop or keyboard).

    Wall times are "YYYY-MM-DD HH:MM" in ``time_zone`` (the post's zone;
    ``from_wall_time`` empty when the post had no time); the instants are
    aware UTC. Written by
    ``tiktok_integration.calendar.moves.calendar_post_move`` in the same
    transaction as the move.
    """

    post = models.ForeignKey(
        "cms.Post", on_delete=models.CASCADE, related_name="calendar_moves"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="moved by",
    )
    moved_at = models.DateTimeField("moved at", auto_now_add=True)
    time_zone = models.CharField("time zone", max_length=64)
    # "YYYY-MM-DD HH:MM" as typed: naive on purpose, USE_TZ never shifts it.
    from_wall_time = models.CharField("from (wall time)", max_length=16, blank=True)
    to_wall_time = models.CharField("to (wall time)", max_length=16)
    from_instant = models.DateTimeField("from (UTC)", null=True)
    to_instant = models.DateTimeField("to (UTC)")

    class Meta:
        verbose_name = "calendar move"
        ordering = ["-moved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.from_wall_time} -> {self.to_wall_time}"
