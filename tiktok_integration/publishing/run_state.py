"""What one run of a claimed job carries from step to step, and how a step stops.

Shared by ``run`` (the loop and the settling of errors) and the steps it drives
(``prepare``, ``init``, ``upload``): a step raises ``NeedsPersonError`` or
``publishing.caps.CapReachedError`` to stop, or ends the run with ``end_step``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.leases import Lease
from tiktok_integration.publishing.transitions import (
    InvalidTransitionError,
    publish_job_transition,
)

logger = logging.getLogger(__name__)


class NeedsPersonError(Exception):
    """Stop and show staff ``message`` in state ``to``."""

    def __init__(self, to: str, message: str) -> None:
        super().__init__(message)
        self.to = to
        self.message = message


@dataclass(slots=True)
class Run:
    """One worker's run of a job under ``lease``, with what it learnt so far."""

    lease: Lease
    # This run wrote the init intent itself, so it knows no init was sent yet.
    fresh_intent: bool = False
    # This run got the upload URL (or already asked TikTok for progress).
    fresh_upload: bool = False
    # TikTok refused the upload URL (expired, unknown): re-init unless complete.
    url_refused: bool = False


def end_step(run: Run, job: PublishJob, to: str, **fields: Any) -> None:
    """Move ``job`` to ``to`` and give up the lease, fenced by it; ``fields``
    are written with it. A job that moved on meanwhile (staff, a webhook, a
    newer lease) is left as it is: that is logged, not raised."""
    try:
        publish_job_transition(
            publish_job_id=job.pk,
            to=to,
            lease_version=run.lease.version,
            owner=run.lease.owner,
            lease_owner="",
            lease_expires_at=None,
            **fields,
        )
    except InvalidTransitionError:
        logger.info("Job %s moved on before it could go to %s", job.pk, to)
