"""plan_chunks against every rule of docs/tiktok.md §4.6 and §7, read strictly."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tiktok_integration.client import ChunkPlan, content_range, plan_chunks
from tiktok_integration.client.facts import (
    MAX_CHUNK_BYTES,
    MAX_FINAL_CHUNK_BYTES,
    MAX_VIDEO_BYTES,
    MIN_CHUNK_BYTES,
)

FOUR_GIB = 4 * 1024**3
# The strict readings of docs/tiktok.md's "MB" and "GB", restated from the docs
# rather than imported, so the planner is checked against the contract itself.
STRICT_MIN_CHUNK = max(5 * 10**6, 5 * 2**20)
STRICT_MAX_CHUNK = min(64 * 10**6, 64 * 2**20)
STRICT_MAX_FINAL_CHUNK = min(128 * 10**6, 128 * 2**20)
STRICT_MAX_VIDEO = min(4 * 10**9, 4 * 2**30)
video_sizes = st.integers(min_value=1, max_value=STRICT_MAX_VIDEO)
preferred_sizes = st.integers(min_value=1, max_value=300_000_000)


def test_limits_sit_inside_both_readings_of_mb() -> None:
    # Given TikTok's "MB" may be 10**6 or 2**20 bytes,
    # then every limit is valid under both readings.
    assert max(5 * 10**6, 5 * 2**20) <= MIN_CHUNK_BYTES
    assert min(64 * 10**6, 64 * 2**20) >= MAX_CHUNK_BYTES
    assert min(128 * 10**6, 128 * 2**20) >= MAX_FINAL_CHUNK_BYTES
    assert min(4 * 10**9, 4 * 2**30) >= MAX_VIDEO_BYTES
    assert MAX_VIDEO_BYTES == 4_000_000_000


def test_documented_example_gives_five_chunks_with_a_large_last_one() -> None:
    # Given the §4.6 example: 50,000,123 bytes with 10,000,000-byte chunks,
    plan = plan_chunks(50_000_123, 10_000_000)

    # then there are 5 chunks and the last one takes the leftover 123 bytes.
    assert plan.chunk_size == 10_000_000
    assert plan.total_chunk_count == 5
    assert list(plan.chunk_ranges())[-1] == (4, 40_000_000, 50_000_122)
    assert plan.final_chunk_size == 10_000_123
    assert plan.as_source().as_source_info() == {
        "source": "FILE_UPLOAD",
        "video_size": 50_000_123,
        "chunk_size": 10_000_000,
        "total_chunk_count": 5,
    }


@given(video_size=video_sizes, preferred=preferred_sizes)
@example(video_size=1, preferred=10_000_000)
@example(video_size=MIN_CHUNK_BYTES - 1, preferred=10_000_000)
@example(video_size=MIN_CHUNK_BYTES, preferred=1)
@example(video_size=STRICT_MAX_VIDEO, preferred=MIN_CHUNK_BYTES)
@example(video_size=STRICT_MAX_VIDEO, preferred=300_000_000)
@example(video_size=2 * MAX_CHUNK_BYTES - 1, preferred=MAX_CHUNK_BYTES)
@example(video_size=MAX_CHUNK_BYTES, preferred=MAX_CHUNK_BYTES)
@example(video_size=MAX_CHUNK_BYTES + 1, preferred=MAX_CHUNK_BYTES)
@example(video_size=MAX_CHUNK_BYTES + 1, preferred=300_000_000)
@example(video_size=100_000_000, preferred=50_000_000)
@example(video_size=100_000_000, preferred=64_000_000)
@example(video_size=100 * 1024**2, preferred=60_000_000)
def test_every_plan_follows_the_media_transfer_rules(
    video_size: int, preferred: int
) -> None:
    # Given any size from 1 byte to 4 GB and any preferred chunk size,
    plan = plan_chunks(video_size, preferred)
    ranges = list(plan.chunk_ranges())
    sizes = [last - first + 1 for _, first, last in ranges]

    # then the count is floor(size / chunk) and within 1..1000,
    assert 1 <= plan.total_chunk_count <= 1000
    assert plan.total_chunk_count == video_size // plan.chunk_size
    assert len(ranges) == plan.total_chunk_count
    # files under 5 MB go in one piece of their own size,
    if video_size < STRICT_MIN_CHUNK:
        assert (plan.chunk_size, plan.total_chunk_count) == (video_size, 1)
    # files over 64 MB are split, and a single piece is never over 64 MB,
    if video_size > STRICT_MAX_CHUNK:
        assert plan.total_chunk_count >= 2
    if plan.total_chunk_count == 1:
        assert video_size <= STRICT_MAX_CHUNK
    # every chunk but the single-piece case is 5 MB..64 MB,
    if plan.chunk_size != video_size:
        assert STRICT_MIN_CHUNK <= plan.chunk_size <= STRICT_MAX_CHUNK
    # the ranges cover [0, size) exactly, in order, without gaps,
    expected_first = 0
    for index, (position, first, last) in enumerate(ranges):
        assert position == index
        assert first == expected_first
        assert last >= first
        expected_first = last + 1
    assert expected_first == video_size
    # every chunk but the last is exactly chunk_size,
    assert all(size == plan.chunk_size for size in sizes[:-1])
    # and the last one absorbs the leftover but stays within 128 MB.
    assert sizes[-1] == plan.final_chunk_size
    assert plan.chunk_size <= sizes[-1] < plan.chunk_size * 2 or len(ranges) == 1
    assert sizes[-1] <= STRICT_MAX_FINAL_CHUNK


@given(
    video_size=st.integers(min_value=MAX_CHUNK_BYTES + 1, max_value=2 * MAX_CHUNK_BYTES)
)
def test_files_just_over_64_mb_are_split_even_with_huge_preferred_chunks(
    video_size: int,
) -> None:
    # Given a file over 64 MB but under twice that, and a preferred chunk of
    # 64 MB (which would give floor(size / chunk) == 1),
    plan = plan_chunks(video_size, MAX_CHUNK_BYTES)

    # then it still goes in two or more pieces of at most 64 MB each.
    assert plan.total_chunk_count >= 2
    assert plan.chunk_size <= MAX_CHUNK_BYTES
    assert plan.final_chunk_size <= MAX_CHUNK_BYTES


@given(video_size=video_sizes, data=st.data())
def test_resume_index_points_at_the_chunk_holding_the_next_byte(
    video_size: int, data: st.DataObject
) -> None:
    # Given a plan and any byte count TikTok may report as uploaded,
    plan = plan_chunks(video_size)
    uploaded = data.draw(st.integers(min_value=0, max_value=video_size))

    # when we ask which chunk to send next,
    index = plan.chunk_index_for(uploaded)

    # then a complete upload needs no chunk, and otherwise the chunk returned is
    # the one that contains the first byte not yet confirmed.
    if uploaded == video_size:
        assert index == plan.total_chunk_count
    else:
        first, last = plan.chunk_range(index)
        assert first <= uploaded <= last


def test_resume_index_on_chunk_boundaries() -> None:
    # Given the documented 5-chunk plan,
    plan = plan_chunks(50_000_123, 10_000_000)

    # then each boundary starts the next chunk, and an off-boundary count resends
    # the chunk that contains it.
    assert plan.chunk_index_for(0) == 0
    assert plan.chunk_index_for(10_000_000) == 1
    assert plan.chunk_index_for(10_000_001) == 1
    assert plan.chunk_index_for(9_999_999) == 0
    assert plan.chunk_index_for(40_000_000) == 4
    assert plan.chunk_index_for(50_000_000) == 4
    assert plan.chunk_index_for(50_000_123) == 5


@pytest.mark.parametrize("uploaded", [-1, 50_000_124])
def test_resume_index_refuses_counts_outside_the_file(uploaded: int) -> None:
    plan = plan_chunks(50_000_123, 10_000_000)
    with pytest.raises(ValueError, match="outside"):
        plan.chunk_index_for(uploaded)


@pytest.mark.parametrize("video_size", [4_000_000_001, FOUR_GIB, FOUR_GIB + 1])
def test_file_over_four_gb_is_refused_with_a_sentence(video_size: int) -> None:
    # Given a file over 4,000,000,000 bytes (4 GiB included, as TikTok's "4 GB"
    # may mean 10**9-based gigabytes), then planning fails and says why.
    with pytest.raises(ValueError, match=r"at most 4 GB \(4,000,000,000 bytes\)"):
        plan_chunks(video_size)


def test_file_of_exactly_four_gb_is_planned() -> None:
    plan = plan_chunks(4_000_000_000)
    assert plan.total_chunk_count == 400
    assert plan.final_chunk_size == 10_000_000


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        plan_chunks(0)


def test_a_plan_that_breaks_the_rules_cannot_be_built() -> None:
    # Given hand-made plans that TikTok would reject, then construction fails.
    with pytest.raises(ValueError, match="video_size // chunk_size"):
        ChunkPlan(video_size=30_000_000, chunk_size=10_000_000, total_chunk_count=2)
    with pytest.raises(ValueError, match="Chunks must be between"):
        ChunkPlan(video_size=30_000_000, chunk_size=1_000_000, total_chunk_count=30)
    with pytest.raises(ValueError, match="1 to 1000"):
        ChunkPlan(video_size=10, chunk_size=5, total_chunk_count=0)
    with pytest.raises(ValueError, match="at least 2 chunks"):
        ChunkPlan(video_size=100_000_000, chunk_size=64_000_000, total_chunk_count=1)
    with pytest.raises(ValueError, match="at most 4,000,000,000"):
        ChunkPlan(video_size=FOUR_GIB, chunk_size=60_000_000, total_chunk_count=71)


def test_content_range_is_inclusive_and_zero_based() -> None:
    assert content_range(40_000_000, 50_000_122, 50_000_123) == (
        "bytes 40000000-50000122/50000123"
    )
