"""The composer refuses a post that would put an account's local day over
TikTok's caps, with the same sentence the calendar shows (docs/tiktok.md §6)."""

from __future__ import annotations

import pytest

from tests.tiktok_integration.calendar.support import planned
from tests.tiktok_integration.compose.conftest import (
    compose_request,
    direct,
    draft,
    next_week_at,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import ComposeError, post_compose


def test_a_direct_post_over_the_daily_cap_is_refused(
    rome, member, public_account, video, settings
):
    settings.TIKTOK_DAILY_POST_CAP = 1
    planned(rome, next_week_at(8), (public_account,))
    with pytest.raises(ComposeError) as caught:
        post_compose(
            request=compose_request(
                rome, member, (direct(public_account),), media_ids=(video.pk,)
            )
        )
    message = " ".join(caught.value.errors[f"target:{public_account.pk}"])
    assert f"@{public_account.username}: 2 direct posts planned" in message
    assert "TikTok allows 1 a day" in message
    assert PublishJob.objects.count() == 1


def test_drafts_within_the_pending_limit_are_saved(
    rome, member, upload_only_account, video, settings
):
    settings.TIKTOK_PENDING_SHARE_CAP = 2
    planned(rome, next_week_at(8), (upload_only_account,), mode="draft")
    post = post_compose(
        request=compose_request(
            rome, member, (draft(upload_only_account),), media_ids=(video.pk,)
        )
    )
    assert PublishJob.objects.filter(post=post).count() == 1
    with pytest.raises(ComposeError) as caught:
        post_compose(
            request=compose_request(
                rome, member, (draft(upload_only_account),), media_ids=(video.pk,)
            )
        )
    message = " ".join(caught.value.errors[f"target:{upload_only_account.pk}"])
    assert "3 drafts planned" in message and "at most 2 pending" in message
