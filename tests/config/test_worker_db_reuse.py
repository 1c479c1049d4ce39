"""A Celery worker keeps its PostgreSQL connection between tasks (issue 17).

bench/bench_scale.py found one new database connection per publish step:
Celery's Django fixup closed every connection around every task. With
CELERY_DB_REUSE_MAX the connection lives as CONN_MAX_AGE says, and the
task_prerun hook in config/celery.py still drops one that is too old.
"""

from __future__ import annotations

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_prerun
from django.db import connection

from config.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _around_tasks(fixup: DjangoWorkerFixup, count: int) -> None:
    # What the fixup does before and after each task the worker runs.
    for _ in range(count):
        fixup.close_database()
        task_prerun.send(sender=None)
        fixup.close_database()


def test_ten_tasks_in_a_row_use_one_database_connection() -> None:
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection

    _around_tasks(fixup, 10)
    connection.ensure_connection()

    assert connection.connection is first


def test_a_connection_past_its_max_age_is_replaced_before_the_next_task() -> None:
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection
    connection.close_at = time.monotonic() - 1

    _around_tasks(fixup, 1)
    connection.ensure_connection()

    assert connection.connection is not first
