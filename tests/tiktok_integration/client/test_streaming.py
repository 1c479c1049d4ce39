"""FileRangeReader: exact bytes, bounded memory, and a fixed Content-Length."""

from __future__ import annotations

import io

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.utils import super_len

from tiktok_integration.client import FileRangeReader, TruncatedSourceError


class RecordingFile(io.BytesIO):
    """A seekable file that remembers the largest read asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None
        assert size >= 0, "the reader must never ask for the whole file"
        self.largest_read = max(self.largest_read, size)
        return super().read(size)


@given(
    data=st.binary(min_size=1, max_size=4096),
    block_size=st.integers(min_value=1, max_value=700),
    read_size=st.integers(min_value=1, max_value=5000),
    bounds=st.data(),
)
def test_reads_exactly_the_range_one_block_at_most(
    data: bytes, block_size: int, read_size: int, bounds: st.DataObject
) -> None:
    # Given any range of any file,
    start = bounds.draw(st.integers(min_value=0, max_value=len(data) - 1))
    length = bounds.draw(st.integers(min_value=0, max_value=len(data) - start))
    source = RecordingFile(data)
    reader = FileRangeReader(source, start, length, block_size=block_size)

    # when it is read the way urllib3 reads a body (fixed-size reads until b""),
    blocks = []
    while block := reader.read(read_size):
        assert len(block) <= block_size
        blocks.append(block)

    # then exactly the range came out and no read asked for more than one block.
    assert b"".join(blocks) == data[start : start + length]
    assert source.largest_read <= block_size


def test_whole_read_and_iteration_return_the_range() -> None:
    data = bytes(range(256)) * 40
    reader = FileRangeReader(io.BytesIO(data), 1000, 5000, block_size=1024)
    assert reader.read() == data[1000:6000]
    reader.seek(0)
    assert b"".join(reader) == data[1000:6000]


def test_requests_sees_a_fixed_length_stream() -> None:
    # Given a reader over 3 MiB of a 10 MiB file,
    source = io.BytesIO(b"\0" * (10 * 1024 * 1024))
    reader = FileRangeReader(source, 2 * 1024 * 1024, 3 * 1024 * 1024)

    # when requests prepares a PUT with it,
    prepared = requests.Request(
        "PUT", "https://upload.example/video/?x=1", data=reader
    ).prepare()

    # then it sends a Content-Length of the range, not chunked encoding, and keeps
    # the reader as the body instead of reading it into memory.
    length_requests_sees = super_len(reader)  # type: ignore[no-untyped-call]
    assert len(reader) == reader.len == length_requests_sees == 3 * 1024 * 1024
    assert prepared.headers["Content-Length"] == str(3 * 1024 * 1024)
    assert "Transfer-Encoding" not in prepared.headers
    sent_body: object = prepared.body
    assert sent_body is reader
    assert reader.tell() == 0


def test_seek_rewinds_within_the_range_only() -> None:
    reader = FileRangeReader(io.BytesIO(b"abcdefghij"), 2, 5)
    assert reader.read(3) == b"cde"
    assert reader.seek(0) == 0
    assert reader.read(2) == b"cd"
    assert reader.seek(-1, io.SEEK_END) == 4
    assert reader.read(10) == b"g"
    with pytest.raises(ValueError, match="before the start"):
        reader.seek(-1)


def test_other_users_of_the_file_cannot_move_the_range() -> None:
    # Given the underlying file is moved between two reads,
    source = io.BytesIO(b"0123456789")
    reader = FileRangeReader(source, 4, 4, block_size=2)
    assert reader.read(2) == b"45"
    source.seek(0)

    # then the next read still continues the range.
    assert reader.read(2) == b"67"


def test_a_file_shorter_than_the_range_is_reported() -> None:
    reader = FileRangeReader(io.BytesIO(b"0123456789"), 8, 5)
    assert reader.read(5) == b"89"
    with pytest.raises(TruncatedSourceError, match="ended at byte 10"):
        reader.read(5)


@pytest.mark.parametrize(
    ("start", "length", "block", "reason"),
    [
        (-1, 1, 1, "must not be negative"),
        (0, -1, 1, "must not be negative"),
        (0, 1, 0, "block_size must be positive"),
    ],
)
def test_invalid_ranges_are_refused(
    start: int, length: int, block: int, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        FileRangeReader(io.BytesIO(b"x"), start, length, block_size=block)
