"""The post's admin form: the schedule typed as a wall time in a time zone and
turned into UTC by ``cms.scheduling.local_to_utc``, the one conversion the
composer and calendar use too."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from cms.models import Post
from cms.scheduling import AmbiguousLocalTimeError, LocalTimeError, local_to_utc
from tiktok_integration.models import PublishJob
from tiktok_integration.selectors import publish_job_list_started_for_post

FOLD_CHOICES = [
    ("", "—"),
    (0, "First (before the clocks go back)"),
    (1, "Second (after the clocks go back)"),
]


class PostAdminForm(forms.ModelForm):
    """Staff type the date and time as the clocks show them in the chosen zone
    (empty: the workspace's). A time that does not exist or happens twice is
    refused with the valid choices; a changed time is refused while any
    account's copy is already being sent or sent."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="The zone the date and time are typed in; empty: the "
        "workspace's. It is kept as chosen.",
    )
    scheduled_fold = forms.TypedChoiceField(
        label="Occurrence",
        choices=FOLD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Only when the clocks go back and the time happens twice.",
    )

    class Meta:
        model = Post
        fields = [
            "workspace",
            "title",
            "caption",
            "scheduled_date",
            "scheduled_time",
            "time_zone",
            "scheduled_fold",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["time_zone"]
        zone_field.choices = [  # type: ignore[attr-defined]
            ("", "The workspace's"),
            *((name, name) for name in sorted(zoneinfo.available_timezones())),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        workspace = data.get("workspace") or getattr(self.instance, "workspace", None)
        zone = data.get("time_zone") or (workspace.time_zone if workspace else "UTC")
        data["time_zone"] = zone
        day, time = data.get("scheduled_date"), data.get("scheduled_time")
        if (day is None) != (time is None):
            self.add_error(
                "scheduled_date", "Give both a date and a time, or neither for a draft."
            )
            return data
        moment = None
        if day is not None and time is not None:
            try:
                moment = local_to_utc(
                    datetime.combine(day, time), zone, fold=data.get("scheduled_fold")
                )
            except AmbiguousLocalTimeError as error:
                self.add_error("scheduled_fold", str(error))
                return data
            except LocalTimeError as error:
                self.add_error("scheduled_time", str(error))
                return data
            data["scheduled_fold"] = moment.astimezone(zoneinfo.ZoneInfo(zone)).fold
        else:
            data["scheduled_fold"] = 0
        self._check_jobs(moment)
        return data

    def _check_jobs(self, moment: datetime | None) -> None:
        post = self.instance
        if post.pk is None or moment == post.scheduled_at:
            return
        started = publish_job_list_started_for_post(post_id=post.pk)
        if started:
            names = ", ".join(
                f"{job.account} ('{job.get_status_display()}')" for job in started
            )
            self.add_error(
                "scheduled_time",
                f"The time cannot change: these accounts' copies are already "
                f"being sent or sent: {names}.",
            )
            return
        waiting = PublishJob.objects.filter(
            post_id=post.pk, status__in=PublishJob.EDITABLE
        ).exists()
        if waiting and moment is None:
            self.add_error(
                "scheduled_date",
                "This post has accounts waiting to publish it: keep a time, or "
                "cancel their jobs first.",
            )
        elif waiting and moment is not None and moment <= timezone.now():
            self.add_error(
                "scheduled_time",
                "That time has already passed and the post's accounts would "
                "publish at once; choose a later time (or use 'Publish now' on "
                "the jobs).",
            )
