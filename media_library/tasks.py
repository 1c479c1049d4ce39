"""Celery tasks of the media library: thin, by id, the work is in services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="media_library.probe_asset", ignore_result=True)
def media_asset_probe_task(asset_id: int) -> None:
    """Probe a stored asset again and refresh its facts, checks and previews."""
    from media_library.services.probing import media_asset_probe

    media_asset_probe(asset_id=asset_id)


@shared_task(name="media_library.run_conversion", ignore_result=True)
def media_conversion_run_task(conversion_id: int) -> None:
    """Run one "Make TikTok-ready" conversion; failures are recorded on its row."""
    from media_library.services.conversions import media_conversion_run

    media_conversion_run(conversion_id=conversion_id)


@shared_task(name="media_library.sweep_conversions", ignore_result=True)
def media_conversion_sweep_task() -> None:
    """Beat: recover conversions stuck behind a dead worker or a lost message."""
    from media_library.services.conversions import media_conversion_sweep

    media_conversion_sweep()
