from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from config.periodic import PERIODIC_TASKS


class Command(BaseCommand):
    help = (
        "Create the periodic tasks Postdeck needs, by name. Existing rows keep what "
        "staff changed (enabled, interval, last run); only the task path is updated. "
        "Use --reset to put intervals back to the code's defaults."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Also reset each task's interval and queue to the defaults in code.",
        )

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        created = updated = 0
        with transaction.atomic():
            for spec in PERIODIC_TASKS:
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=spec.every_seconds, period=IntervalSchedule.SECONDS
                )
                task = PeriodicTask.objects.filter(name=spec.name).first()
                if task is None:
                    PeriodicTask.objects.create(
                        name=spec.name,
                        task=spec.task,
                        interval=interval,
                        queue=spec.queue,
                        description=spec.description,
                    )
                    created += 1
                    continue
                changed = task.task != spec.task
                task.task = spec.task
                if reset:
                    changed = changed or task.interval_id != interval.pk
                    task.interval = interval
                    task.queue = spec.queue
                    task.description = spec.description
                if changed:
                    task.save()
                    updated += 1
            PeriodicTasks.update_changed()
        self.stdout.write(
            f"Periodic tasks: {created} created, {updated} updated, "
            f"{len(PERIODIC_TASKS) - created - updated} unchanged."
        )
