"""A post's state from its jobs: never "draft" once something went out."""

from __future__ import annotations

import pytest

from tiktok_integration.models import PublishJob
from tiktok_integration.selectors import post_state_for


def jobs(*statuses: str) -> list[PublishJob]:
    return [PublishJob(status=status) for status in statuses]


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        ((), "draft"),
        (("cancelled",), "draft"),
        (("scheduled", "scheduled"), "scheduled"),
        (("scheduled", "uploading"), "publishing"),
        (("processing",), "publishing"),
        (("published", "published", "cancelled"), "published"),
        (("sent_to_inbox",), "sent_to_inbox"),
        (("published", "sent_to_inbox"), "partly_published"),
        (("published", "scheduled"), "partly_published"),
        (("published", "failed"), "needs_attention"),
        (("scheduled", "paused_reauth"), "needs_attention"),
        (("needs_confirmation",), "needs_attention"),
    ],
)
def test_post_state(statuses: tuple[str, ...], state: str) -> None:
    assert post_state_for(jobs(*statuses)) == state
