"""What one upload costs besides its bytes (issue 17: the 1 GiB upload against
curl): one kept-alive connection for all its chunks, not one per chunk."""

from __future__ import annotations

from typing import Any

import pytest
from urllib3.connection import HTTPConnection

from tests.tiktok_integration.publishing.conftest import MB, drive, scheduled_job
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing import run as run_module


@pytest.fixture
def upload_step(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Connections opened inside the upload step."""
    seen: dict[str, Any] = {"connections": 0, "inside": False}
    real_connect = HTTPConnection.connect
    real_upload = run_module.upload

    def connect(self: HTTPConnection) -> None:
        if seen["inside"]:
            seen["connections"] += 1
        real_connect(self)

    def upload(run: Any, job: PublishJob) -> None:
        seen["inside"] = True
        try:
            real_upload(run, job)
        finally:
            seen["inside"] = False

    monkeypatch.setattr(HTTPConnection, "connect", connect)
    monkeypatch.setattr(run_module, "upload", upload)
    return seen


def test_a_four_chunk_upload_uses_one_connection(account, upload_step):
    # given a video of four 5 MB chunks, due now
    job = scheduled_job(account, size=21 * MB)

    # when it is published
    drive()

    # then its chunks went through one connection
    job.refresh_from_db()
    assert job.status == PublishJob.Status.PUBLISHED, job.failure_message
    assert job.total_chunks == 4
    assert upload_step["connections"] == 1
