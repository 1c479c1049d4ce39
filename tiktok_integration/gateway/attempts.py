"""The audit trail: one PublishAttempt row for every request sent to TikTok."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from tiktok_integration.client import CallRecord
from tiktok_integration.models import PublishAttempt


def attempt_recorder(
    *,
    account_id: int | None = None,
    job_id: int | None = None,
    lease_version: int | None = None,
) -> Callable[[CallRecord], None]:
    """An ``on_call`` hook for the clients that writes one PublishAttempt per
    external call: endpoint, HTTP status, TikTok's error code and log id, the
    error class and the duration in milliseconds. Never a token or a URL."""

    def record(call: CallRecord) -> None:
        PublishAttempt.objects.create(
            job_id=job_id,
            account_id=account_id,
            endpoint=call.endpoint,
            http_method=call.method,
            http_status=call.http_status,
            tiktok_code=call.code[:80],
            log_id=call.log_id[:80],
            error_class=(call.error_class or "")[:40],
            duration_ms=call.duration_ms,
            lease_version=lease_version,
            started_at=timezone.now(),
        )

    return record
