"""Several workers syncing at once stay inside the app-wide Display window
(docs/tiktok.md §6): the sandbox's own journal is the witness."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from tests.tiktok_integration.analytics.conftest import make_videos
from tests.tiktok_integration.publishing.conftest import connect
from tiktok_integration.analytics.sync import analytics_account_sync
from tiktok_integration.models import TikTokVideo
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxCreator

pytestmark = pytest.mark.postgres  # concurrent writers need row locks

DISPLAY = [Endpoint.USER_INFO, Endpoint.VIDEO_LIST, Endpoint.VIDEO_QUERY]


def test_two_workers_never_exceed_the_display_window(sandbox, display_limit):
    # given a window of 4 calls a second and two accounts of 60 videos each
    display_limit(4, 1.0)
    creators = list(
        SandboxCreator.objects.filter(
            username__in=["sandbox.public", "sandbox.private"]
        )
    )
    accounts = [connect(creator) for creator in creators]
    for creator in creators:
        make_videos(creator, 60)
    errors: list[BaseException] = []

    def worker(account_id: int) -> None:
        try:
            analytics_account_sync(account_id=account_id, max_wait_seconds=30)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    # when both sync at once
    threads = [
        threading.Thread(target=worker, args=(account.pk,)) for account in accounts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then both finished, 8 Display calls in all, never more than 4 in any
    # second the sandbox saw (a little less than a second, for network jitter)
    assert errors == []
    assert TikTokVideo.objects.count() == 120
    times = sorted(
        SandboxCall.objects.filter(endpoint__in=DISPLAY).values_list(
            "created_at", flat=True
        )
    )
    assert len(times) == 8
    for index, moment in enumerate(times):
        in_window = [
            t for t in times[: index + 1] if moment - t < timedelta(seconds=0.9)
        ]
        assert len(in_window) <= 4
    assert times[-1] - times[0] >= timedelta(seconds=0.9)
