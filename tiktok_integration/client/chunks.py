"""Split a video into the chunks TikTok's media transfer expects (docs/tiktok.md §4.6).

TikTok states its limits in "MB" and "GB" without saying whether that is 10**6
or 2**20 bytes; facts.py reads every bound on the safe side of both (a chunk of
at least 5 MiB, at most 64,000,000 bytes, a final chunk of at most 128,000,000
bytes, a video of at most 4,000,000,000 bytes) and the built-in sandbox enforces
the same strict reading. A single-piece upload is at most MAX_CHUNK_BYTES
("files over 64 MB must be split").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from .facts import (
    MAX_CHUNK_BYTES,
    MAX_CHUNK_COUNT,
    MAX_FINAL_CHUNK_BYTES,
    MAX_VIDEO_BYTES,
    MIN_CHUNK_BYTES,
)
from .posting_types import FileUploadSource

#: The product's chunk size unless settings say otherwise: 10 MB, clear of the
#: edges of TikTok's bounds under either reading of "MB" (§4.6).
DEFAULT_CHUNK_BYTES: Final = 10_000_000


@dataclass(frozen=True, slots=True)
class ChunkPlan:
    """How a file is cut: ``total_chunk_count`` chunks of ``chunk_size`` bytes, the
    last one also carrying the ``video_size % chunk_size`` leftover bytes."""

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def __post_init__(self) -> None:
        if self.video_size <= 0 or self.chunk_size <= 0:
            raise ValueError("video_size and chunk_size must be positive.")
        if self.video_size > MAX_VIDEO_BYTES:
            raise ValueError(f"A video must be at most {MAX_VIDEO_BYTES:,} bytes.")
        if not 1 <= self.total_chunk_count <= MAX_CHUNK_COUNT:
            raise ValueError(f"A plan needs 1 to {MAX_CHUNK_COUNT} chunks.")
        if self.total_chunk_count != self.video_size // self.chunk_size:
            raise ValueError("total_chunk_count must be video_size // chunk_size.")
        is_single_piece = self.chunk_size == self.video_size
        if self.chunk_size > MAX_CHUNK_BYTES or (
            self.chunk_size < MIN_CHUNK_BYTES and not is_single_piece
        ):
            raise ValueError(
                f"Chunks must be between {MIN_CHUNK_BYTES:,} and "
                f"{MAX_CHUNK_BYTES:,} bytes."
            )
        if self.final_chunk_size > MAX_FINAL_CHUNK_BYTES:
            raise ValueError(
                f"The final chunk must be at most {MAX_FINAL_CHUNK_BYTES:,} bytes."
            )
        if self.total_chunk_count == 1 and self.video_size > MAX_CHUNK_BYTES:
            raise ValueError(
                f"A video over {MAX_CHUNK_BYTES:,} bytes must be sent in at least "
                "2 chunks."
            )

    @property
    def final_chunk_size(self) -> int:
        return self.video_size - (self.total_chunk_count - 1) * self.chunk_size

    def chunk_range(self, index: int) -> tuple[int, int]:
        """Return the (first, last inclusive) byte offsets of chunk ``index``."""
        if not 0 <= index < self.total_chunk_count:
            raise IndexError(f"Chunk {index} is not in this {self.total_chunk_count}.")
        first = index * self.chunk_size
        is_final = index == self.total_chunk_count - 1
        last = self.video_size - 1 if is_final else first + self.chunk_size - 1
        return first, last

    def chunk_ranges(self) -> Iterator[tuple[int, int, int]]:
        """Yield (index, first, last inclusive) for every chunk, in sending order."""
        for index in range(self.total_chunk_count):
            first, last = self.chunk_range(index)
            yield index, first, last

    def chunk_index_for(self, uploaded_bytes: int) -> int:
        """Return the index of the chunk to send next after ``uploaded_bytes``.

        A count off a chunk boundary gives the chunk that contains it, so that chunk
        is sent again whole; this also absorbs TikTok's "1-indexed" wording for
        ``uploaded_bytes``. A complete upload gives ``total_chunk_count``.
        Raises ValueError for a count below 0 or above the video size.
        """
        if not 0 <= uploaded_bytes <= self.video_size:
            raise ValueError(
                f"uploaded_bytes {uploaded_bytes} is outside 0..{self.video_size}."
            )
        if uploaded_bytes == self.video_size:
            return self.total_chunk_count
        return min(uploaded_bytes // self.chunk_size, self.total_chunk_count - 1)

    def as_source(self) -> FileUploadSource:
        return FileUploadSource(
            video_size=self.video_size,
            chunk_size=self.chunk_size,
            total_chunk_count=self.total_chunk_count,
        )


def plan_chunks(
    video_size: int, preferred_chunk_size: int = DEFAULT_CHUNK_BYTES
) -> ChunkPlan:
    """Plan the chunks for a file of ``video_size`` bytes.

    Raises ValueError for an empty file or one over 4,000,000,000 bytes.
    """
    if video_size <= 0:
        raise ValueError("The video file is empty.")
    if video_size > MAX_VIDEO_BYTES:
        raise ValueError(
            f"The video is {video_size:,} bytes; TikTok accepts at most 4 GB "
            f"({MAX_VIDEO_BYTES:,} bytes)."
        )
    chunk_size = min(max(preferred_chunk_size, MIN_CHUNK_BYTES), MAX_CHUNK_BYTES)
    if video_size < chunk_size:
        # Under 5 MB, or under one preferred chunk (so at most 64,000,000 bytes):
        # a single piece is valid under either reading of "MB".
        return ChunkPlan(video_size, video_size, 1)
    if video_size > MAX_CHUNK_BYTES and video_size < 2 * chunk_size:
        # floor(size / chunk) would be 1, one piece over 64 MB, which TikTok
        # refuses ("files over 64 MB must be split"): halve the file instead.
        # Here 64,000,000 < size < 128,000,000, so each half is 32-64 MB.
        chunk_size = video_size // 2
    # The leftover is below chunk_size, so the final chunk stays under
    # 2 * 64,000,000 = 128,000,000 bytes, and 4,000,000,000 / 5 MiB allows at
    # most 762 chunks: the 128 MB and 1000-chunk limits hold without growing
    # chunk_size. ChunkPlan checks every rule anyway.
    return ChunkPlan(video_size, chunk_size, video_size // chunk_size)


def content_range(first: int, last: int, total: int) -> str:
    """The ``Content-Range`` header for bytes ``first``..``last`` (inclusive)."""
    return f"bytes {first}-{last}/{total}"
