"""Analytics against the sandbox over real HTTP: its videos' counts grow with
time, so syncs at different times see different numbers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.tiktok_integration.publishing.conftest import (  # noqa: F401 (fixtures)
    _fast_publishing,
    account,
    connect,
    public_creator,
    sandbox,
)
from tiktok_sandbox.models import SandboxCreator, SandboxVideo


def make_videos(
    creator: SandboxCreator,
    count: int,
    *,
    newest_at: datetime | None = None,
    spacing: timedelta = timedelta(hours=1),
    title: str = "clip",
) -> list[SandboxVideo]:
    """``count`` public videos on the creator's profile, the newest at
    ``newest_at`` (default now), one ``spacing`` apart."""
    newest_at = newest_at or timezone.now()
    videos = []
    for index in range(count):
        posted = newest_at - spacing * index
        videos.append(
            SandboxVideo.objects.create(
                creator=creator,
                title=f"{title} {index}",
                privacy_level="PUBLIC_TO_EVERYONE",
                posted_at=posted,
                publicly_available_at=posted,
            )
        )
    return videos


@pytest.fixture
def display_limit(settings: Any) -> Any:
    """Set the app-wide Display window to ``per_window`` calls per ``seconds``."""

    def configure(per_window: int, seconds: float) -> None:
        settings.TIKTOK_RATE_LIMITS = {
            **settings.TIKTOK_RATE_LIMITS,
            "display": per_window,
        }
        settings.TIKTOK_RATE_WINDOW_SECONDS = seconds

    return configure
