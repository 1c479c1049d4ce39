"""The fault plan: scripted misbehaviour, consumed by matching calls.

Examples (tests and the lead's fault scenarios)::

    sandbox_fault_add(endpoint=Endpoint.UPLOAD, chunk_number=3,
                      action=SandboxFault.Action.RESPOND, http_status=500)
    sandbox_fault_add(endpoint=Endpoint.VIDEO_INIT,
                      action=SandboxFault.Action.DROP_AFTER_ACTING)
    sandbox_fault_add(endpoint=Endpoint.CONTENT_INIT,
                      action=SandboxFault.Action.RESPOND_AFTER_ACTING, http_status=500)
    sandbox_fault_add(endpoint=Endpoint.PROCESSING,
                      action=SandboxFault.Action.FAIL_PROCESSING,
                      fail_reason="frame_rate_check_failed")
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault


def sandbox_fault_add(
    *,
    endpoint: str,
    action: str,
    http_status: int | None = None,
    error_code: str = "",
    error_message: str = "",
    creator: SandboxCreator | None = None,
    chunk_number: int | None = None,
    retry_after_seconds: int | None = None,
    delay_seconds: float | None = None,
    fail_reason: str = "",
    remaining: int | None = 1,
    active_for_seconds: float | None = None,
) -> SandboxFault:
    """Add a fault; ``remaining=None`` fires on every match, and
    ``active_for_seconds`` ends it after that long (e.g. "429 for 90 s").
    Raises ValidationError for a combination the plan cannot apply."""
    responds = (SandboxFault.Action.RESPOND, SandboxFault.Action.RESPOND_AFTER_ACTING)
    if action in responds and not error_code and http_status:
        error_code = "internal_error" if http_status >= 500 else ""
    fault = SandboxFault(
        endpoint=endpoint,
        action=action,
        http_status=http_status,
        error_code=error_code,
        error_message=error_message,
        creator=creator,
        chunk_number=chunk_number,
        retry_after_seconds=retry_after_seconds,
        delay_seconds=delay_seconds,
        fail_reason=fail_reason,
        remaining=remaining,
        active_until=None
        if active_for_seconds is None
        else timezone.now() + timedelta(seconds=active_for_seconds),
    )
    fault.full_clean()
    fault.save()
    return fault


def sandbox_fault_take(
    *,
    endpoint: str,
    creator: SandboxCreator | None,
    chunk_number: int | None = None,
) -> SandboxFault | None:
    """The oldest live fault matching this call, with one use consumed.

    A fault names a creator or chunk only to narrow its match: a fault without
    them matches every creator and chunk.
    """
    matches = (
        SandboxFault.objects.filter(endpoint=endpoint)
        .filter(Q(remaining__isnull=True) | Q(remaining__gt=0))
        .filter(Q(active_until__isnull=True) | Q(active_until__gt=timezone.now()))
    )
    matches = matches.filter(
        Q(creator__isnull=True) | Q(creator=creator)
        if creator is not None
        else Q(creator__isnull=True)
    )
    if endpoint == Endpoint.UPLOAD:
        matches = matches.filter(
            Q(chunk_number__isnull=True) | Q(chunk_number=chunk_number)
        )
    for fault in matches.order_by("created_at", "pk"):
        with transaction.atomic():
            # Compare-and-set on the count, so two processes never both take
            # the last use of a "once" fault.
            taken = (
                SandboxFault.objects.filter(pk=fault.pk)
                .filter(Q(remaining__isnull=True) | Q(remaining__gt=0))
                .update(
                    remaining=F("remaining") - 1
                    if fault.remaining is not None
                    else None,
                    times_fired=F("times_fired") + 1,
                )
            )
        if taken == 1:
            fault.refresh_from_db()
            return fault
    return None


def sandbox_faults_clear() -> int:
    """Remove the whole fault plan. Returns how many faults were removed."""
    deleted, _ = SandboxFault.objects.all().delete()
    return deleted
