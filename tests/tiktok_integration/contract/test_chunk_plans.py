"""plan_chunks makes only plans the sandbox (TikTok read strictly, §4.6/§7)
accepts: checked against the sandbox's rule for any size, and over HTTP for
the edge cases."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tiktok_integration.client import (
    PrivacyLevel,
    TikTokClient,
    VideoPostRequest,
    plan_chunks,
)
from tiktok_integration.client.facts import MAX_CHUNK_BYTES, MIN_CHUNK_BYTES
from tiktok_sandbox import rules
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.selectors import sandbox_publish_get
from tiktok_sandbox.services import IssuedTokens, sandbox_tokens_issue


@settings(max_examples=500)
@given(
    video_size=st.integers(min_value=1, max_value=4_000_000_000),
    preferred=st.integers(min_value=1, max_value=300_000_000),
)
@example(video_size=100_000_000, preferred=64_000_000)
@example(video_size=4_000_000_000, preferred=1)
def test_every_plan_passes_the_sandbox_rule(video_size: int, preferred: int) -> None:
    # given any size up to 4 GB and any preferred chunk size
    plan = plan_chunks(video_size, preferred)
    # then the sandbox's own check finds nothing wrong with it
    assert (
        rules.chunk_plan_problem(
            video_size=plan.video_size,
            chunk_size=plan.chunk_size,
            total_chunk_count=plan.total_chunk_count,
        )
        is None
    )


EDGE_PLANS = [
    (1, 10_000_000),
    (MIN_CHUNK_BYTES - 1, 10_000_000),
    (MIN_CHUNK_BYTES, 1),
    (MAX_CHUNK_BYTES, MAX_CHUNK_BYTES),
    (MAX_CHUNK_BYTES + 1, MAX_CHUNK_BYTES),
    (100_000_000, 64_000_000),
    (100 * 1024**2, 60_000_000),
    (2 * MAX_CHUNK_BYTES - 1, MAX_CHUNK_BYTES),
    (1024**3, 10_000_000),
    (4_000_000_000, MIN_CHUNK_BYTES),
    (4_000_000_000, 300_000_000),
]


def test_edge_plans_are_accepted_by_the_sandbox_init(
    api: TikTokClient, public_creator: SandboxCreator
) -> None:
    # given: each init on a fresh token, so TikTok's 6 inits/min do not bite
    post = VideoPostRequest(privacy_level=PrivacyLevel.SELF_ONLY)
    for video_size, preferred in EDGE_PLANS:
        plan = plan_chunks(video_size, preferred)
        token = sandbox_tokens_issue(
            creator=public_creator, scopes=["video.publish"]
        ).access_token
        # when
        init = api.init_direct_video(
            access_token=token, post=post, source=plan.as_source()
        )
        # then: the sandbox stored the plan as sent
        publish = sandbox_publish_get(publish_id=init.publish_id)
        assert (
            publish.video_size,
            publish.chunk_size,
            publish.total_chunk_count,
        ) == (plan.video_size, plan.chunk_size, plan.total_chunk_count)


@pytest.mark.parametrize("video_size", [4_000_000_001, 4 * 1024**3])
def test_sizes_the_sandbox_refuses_are_refused_before_any_request(
    api: TikTokClient, public_tokens: IssuedTokens, video_size: int
) -> None:
    # when / then: the planner says no, so no init with a doomed plan is sent
    with pytest.raises(ValueError, match="at most 4 GB"):
        plan_chunks(video_size)
    assert rules.chunk_plan_problem(
        video_size=video_size,
        chunk_size=10_000_000,
        total_chunk_count=video_size // 10_000_000,
    )
