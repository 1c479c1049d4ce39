"""The sandbox's clock: beat runs this every few seconds (config/periodic.py)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="tiktok_sandbox.advance", ignore_result=True)
def sandbox_advance_task() -> None:
    """Move due publishes and moderations forward and send due webhooks.
    Does nothing when sandbox mode is off."""
    if not settings.TIKTOK_SANDBOX:
        return
    from tiktok_sandbox.services.lifecycle import sandbox_advance

    sandbox_advance()
