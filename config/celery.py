"""The Celery app, configured from Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("postdeck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _drop_stale_database_connections(**_: Any) -> None:
    """Before each task, close connections past CONN_MAX_AGE or broken, as
    Django does before each request: with CELERY_DB_REUSE_MAX set, Celery no
    longer closes them itself, and a task must not start on a dead one."""
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="postdeck.healthcheck", ignore_result=False)
def healthcheck_task() -> dict[str, Any]:
    """Prove a worker can reach the database: returns the vendor and a count."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {
        "database": connection.vendor,
        "users": get_user_model().objects.count(),
    }
