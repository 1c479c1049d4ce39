"""The Celery app, configured from Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("postdeck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="postdeck.healthcheck", ignore_result=False)
def healthcheck_task() -> dict[str, Any]:
    """Prove a worker can reach the database: returns the vendor and a count."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {
        "database": connection.vendor,
        "users": get_user_model().objects.count(),
    }
