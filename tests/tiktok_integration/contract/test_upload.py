"""The chunk PUT's refusals and lost answers (docs/tiktok.md §4.6), and "answer
init, then drop the connection"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiktok_integration.contract.support import upload_file
from tiktok_integration.client import (
    FileRangeReader,
    PrivacyLevel,
    PublishInit,
    TikTokAmbiguousError,
    TikTokClient,
    TikTokRangeMismatchError,
    TikTokRateLimitedError,
    TikTokRejectedError,
    TikTokTransientError,
    VideoPostRequest,
    plan_chunks,
)
from tiktok_integration.client.chunks import ChunkPlan
from tiktok_sandbox import selectors
from tiktok_sandbox.models import Endpoint, SandboxCreator, SandboxFault
from tiktok_sandbox.services import (
    IssuedTokens,
    sandbox_fault_add,
    sandbox_upload_url_expire,
)

POST = VideoPostRequest(privacy_level=PrivacyLevel.SELF_ONLY)


def _init(api: TikTokClient, tokens: IssuedTokens, plan: ChunkPlan) -> str:
    init = api.init_direct_video(
        access_token=tokens.access_token, post=POST, source=plan.as_source()
    )
    assert init.upload_url is not None
    return init.upload_url


def _put(
    api: TikTokClient, upload_url: str, path: Path, plan: ChunkPlan, index: int
) -> object:
    first, last = plan.chunk_range(index)
    with path.open("rb") as handle:
        return api.upload_chunk(
            upload_url=upload_url,
            body=FileRangeReader(handle, first, last - first + 1),
            first=first,
            last=last,
            total=plan.video_size,
            is_final=index == plan.total_chunk_count - 1,
        )


@pytest.fixture
def plan(video_file: Path) -> ChunkPlan:
    return plan_chunks(video_file.stat().st_size)


def test_wrong_range_first_is_a_range_mismatch_from_zero(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given
    upload_url = _init(api, public_tokens, plan)
    # when: chunk 2 is sent before chunk 1
    with pytest.raises(TikTokRangeMismatchError) as caught:
        _put(api, upload_url, video_file, plan, 1)
    # then
    assert (caught.value.http_status, caught.value.uploaded_bytes) == (416, 0)
    assert plan.chunk_index_for(0) == 0


def test_skipped_chunk_is_a_range_mismatch_saying_where_to_resume(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given
    upload_url = _init(api, public_tokens, plan)
    _put(api, upload_url, video_file, plan, 0)
    # when: chunk 3 follows chunk 1
    with pytest.raises(TikTokRangeMismatchError) as caught:
        _put(api, upload_url, video_file, plan, 2)
    # then: resuming where TikTok says finishes the upload
    assert caught.value.uploaded_bytes == 10_000_000
    resume = plan.chunk_index_for(caught.value.uploaded_bytes)
    assert resume == 1
    _put(api, upload_url, video_file, plan, 1)
    done = _put(api, upload_url, video_file, plan, 2)
    assert getattr(done, "is_complete", False)


def test_expired_upload_url_is_a_rejection(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given
    init = api.init_direct_video(
        access_token=public_tokens.access_token, post=POST, source=plan.as_source()
    )
    assert init.upload_url is not None
    sandbox_upload_url_expire(
        publish=selectors.sandbox_publish_get(publish_id=init.publish_id)
    )
    # when
    with pytest.raises(TikTokRejectedError) as caught:
        _put(api, init.upload_url, video_file, plan, 0)
    # then
    assert (caught.value.http_status, caught.value.code) == (403, "upload_url_expired")


def test_unknown_upload_url_is_upload_not_found(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given: a real upload URL with a forged upload_token
    upload_url = _init(api, public_tokens, plan)
    forged = upload_url.split("upload_token=")[0] + "upload_token=forged"
    # when
    with pytest.raises(TikTokRejectedError) as caught:
        _put(api, forged, video_file, plan, 0)
    # then
    assert (caught.value.http_status, caught.value.code) == (404, "upload_not_found")


@pytest.mark.parametrize(
    ("http_status", "expected"),
    [
        (500, TikTokTransientError),
        (503, TikTokTransientError),
        (429, TikTokRateLimitedError),
        (400, TikTokRejectedError),
    ],
)
def test_chunk_refusals_map_by_status_and_the_same_chunk_can_be_resent(
    api: TikTokClient,
    public_tokens: IssuedTokens,
    video_file: Path,
    plan: ChunkPlan,
    http_status: int,
    expected: type[Exception],
) -> None:
    # given
    upload_url = _init(api, public_tokens, plan)
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        chunk_number=2,
        action=SandboxFault.Action.RESPOND,
        http_status=http_status,
    )
    _put(api, upload_url, video_file, plan, 0)
    # when
    with pytest.raises(expected) as caught:
        _put(api, upload_url, video_file, plan, 1)
    # then
    assert type(caught.value) is expected
    assert caught.value.http_status == http_status
    _put(api, upload_url, video_file, plan, 1)
    assert getattr(_put(api, upload_url, video_file, plan, 2), "is_complete", False)


def test_lost_answer_to_a_middle_chunk_is_transient(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given
    upload_url = _init(api, public_tokens, plan)
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        chunk_number=1,
        action=SandboxFault.Action.DROP_AFTER_ACTING,
    )
    # when
    with pytest.raises(TikTokTransientError) as caught:
        _put(api, upload_url, video_file, plan, 0)
    # then: the chunk did arrive, so TikTok now expects chunk 2
    assert caught.value.code == "response_lost"
    with pytest.raises(TikTokRangeMismatchError) as mismatch:
        _put(api, upload_url, video_file, plan, 0)
    assert mismatch.value.uploaded_bytes == 10_000_000


def test_lost_answer_to_the_final_chunk_is_ambiguous_and_the_upload_completed(
    api: TikTokClient, public_tokens: IssuedTokens, video_file: Path, plan: ChunkPlan
) -> None:
    # given
    init = api.init_direct_video(
        access_token=public_tokens.access_token, post=POST, source=plan.as_source()
    )
    assert init.upload_url is not None
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        chunk_number=3,
        action=SandboxFault.Action.DROP_AFTER_ACTING,
    )
    # when
    with pytest.raises(TikTokAmbiguousError):
        upload_file(api, upload_url=init.upload_url, path=video_file, plan=plan)
    # then: status/fetch resolves it
    status = api.fetch_status(
        access_token=public_tokens.access_token, publish_id=init.publish_id
    )
    assert status.status == "PUBLISH_COMPLETE"
    assert status.uploaded_bytes == plan.video_size


def test_init_answered_then_dropped_is_ambiguous_and_the_publish_exists(
    api: TikTokClient,
    public_tokens: IssuedTokens,
    public_creator: SandboxCreator,
    plan: ChunkPlan,
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when
    with pytest.raises(TikTokAmbiguousError) as caught:
        api.init_direct_video(
            access_token=public_tokens.access_token, post=POST, source=plan.as_source()
        )
    # then: "TikTok" created the publish the client never heard of
    assert caught.value.http_status is None
    assert selectors.sandbox_init_count(creator_open_id=public_creator.open_id) == 1
    (call,) = selectors.sandbox_call_list(endpoint=Endpoint.VIDEO_INIT)
    assert call.is_dropped
    assert selectors.sandbox_publish_get(publish_id=call.publish_id).status == (
        "PROCESSING_UPLOAD"
    )


def test_init_dropped_before_acting_is_ambiguous_too_and_creates_nothing(
    api: TikTokClient, public_tokens: IssuedTokens, plan: ChunkPlan
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.INBOX_VIDEO_INIT,
        action=SandboxFault.Action.DROP_BEFORE_ACTING,
    )
    # when: the client cannot tell the two drops apart, so both are ambiguous
    with pytest.raises(TikTokAmbiguousError):
        api.init_inbox_video(
            access_token=public_tokens.access_token, source=plan.as_source()
        )
    # then
    assert selectors.sandbox_init_count() == 0


def test_status_fetch_answer_lost_is_transient(
    api: TikTokClient, public_tokens: IssuedTokens, plan: ChunkPlan
) -> None:
    # given
    init: PublishInit = api.init_direct_video(
        access_token=public_tokens.access_token, post=POST, source=plan.as_source()
    )
    sandbox_fault_add(
        endpoint=Endpoint.STATUS_FETCH, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when / then: asking again is safe, so it is not ambiguous
    with pytest.raises(TikTokTransientError) as caught:
        api.fetch_status(
            access_token=public_tokens.access_token, publish_id=init.publish_id
        )
    assert type(caught.value) is TikTokTransientError


def test_rate_limited_init_carries_retry_after(
    api: TikTokClient, public_tokens: IssuedTokens, plan: ChunkPlan
) -> None:
    # given
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT,
        action=SandboxFault.Action.RESPOND,
        http_status=429,
        error_code="rate_limit_exceeded",
        retry_after_seconds=30,
    )
    # when
    with pytest.raises(TikTokRateLimitedError) as caught:
        api.init_direct_video(
            access_token=public_tokens.access_token, post=POST, source=plan.as_source()
        )
    # then
    assert (caught.value.code, caught.value.retry_after) == ("rate_limit_exceeded", 30)
    assert selectors.sandbox_init_count() == 0


def test_seventh_init_in_a_minute_is_rate_limited_without_retry_after(
    api: TikTokClient, public_tokens: IssuedTokens, plan: ChunkPlan
) -> None:
    # given: TikTok allows 6 inits a minute per token
    for _ in range(6):
        api.init_direct_video(
            access_token=public_tokens.access_token, post=POST, source=plan.as_source()
        )
    # when
    with pytest.raises(TikTokRateLimitedError) as caught:
        api.init_direct_video(
            access_token=public_tokens.access_token, post=POST, source=plan.as_source()
        )
    # then
    assert (caught.value.http_status, caught.value.code) == (429, "rate_limit_exceeded")
    assert caught.value.retry_after is None
