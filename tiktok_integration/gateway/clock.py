"""The database's clock, which every lease, due time and rate window uses."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone


def db_now() -> datetime:
    """Now, as an aware datetime, by the database's clock.

    SQLite lives on this machine, so its clock is this machine's; PostgreSQL may
    be elsewhere and workers' clocks drift, so ask it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            row = cursor.fetchone()
        moment: datetime = row[0]
        return moment
    return timezone.now()
