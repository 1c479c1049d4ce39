"""Stream one byte range of a file as a request body without loading it whole."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Final, Protocol

DEFAULT_BLOCK_SIZE: Final = 1024 * 1024


class SeekableBinaryFile(Protocol):
    """The two methods we need: a local file and a Django storage File both qualify."""

    def seek(self, offset: int, whence: int = ..., /) -> object: ...

    def read(self, size: int = ..., /) -> bytes: ...


class TruncatedSourceError(ValueError):
    """The file ended before the byte range did, so the body would be short."""


class FileRangeReader:
    """A read-only file-like view of ``length`` bytes of ``fileobj`` from ``start``.

    ``requests`` takes its ``Content-Length`` from ``__len__`` minus ``tell()``, so
    the body is streamed with a fixed length instead of chunked encoding, and
    urllib3 pulls it through ``read(size)``. A sized read never returns more than
    ``block_size`` bytes, so at most one block is held in memory at a time.
    The reader seeks before every read, so other users of ``fileobj`` cannot move
    it off its range; it never closes ``fileobj``, which stays the caller's.
    """

    def __init__(
        self,
        fileobj: SeekableBinaryFile,
        start: int,
        length: int,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        if start < 0 or length < 0:
            raise ValueError("start and length must not be negative.")
        if block_size <= 0:
            raise ValueError("block_size must be positive.")
        self._fileobj = fileobj
        self._start = start
        self._length = length
        self._block_size = block_size
        self._position = 0

    def __len__(self) -> int:
        return self._length

    @property
    def len(self) -> int:
        """The range length; some HTTP libraries look for this attribute."""
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(self._block_size):
            yield block

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move within the range (so a retried request can rewind to its start)."""
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._position + offset
        elif whence == os.SEEK_END:
            target = self._length + offset
        else:
            raise ValueError(f"Unsupported whence value {whence}.")
        if target < 0:
            raise ValueError("Cannot seek before the start of the range.")
        self._position = target
        return target

    def read(self, size: int | None = -1) -> bytes:
        """Return the next bytes of the range, at most ``block_size`` per sized call.

        ``read()`` without a size follows the file contract and returns the rest of
        the range (built block by block); the streaming path always passes a size.
        Raises TruncatedSourceError if the file ends before the range does.
        """
        if size is None or size < 0:
            return b"".join(iter(self))
        wanted = min(size, self._block_size, self._length - self._position)
        if wanted <= 0:
            return b""
        self._fileobj.seek(self._start + self._position)
        block = self._fileobj.read(wanted)
        if not block:
            raise TruncatedSourceError(
                f"The file ended at byte {self._start + self._position}, before the "
                f"end of the range {self._start}-{self._start + self._length - 1}."
            )
        self._position += len(block)
        return block
