"""Read the lines of a partition in blocks of whole lines (bounded memory, ~1 MiB at a time)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from dystonia_cds.screening.partitions import Partition

BLOCK_BYTES = 1024 * 1024


class DamagedGzip(Exception):
    """The gzip stream ended early or is corrupt; the lines before it were delivered."""


def read_blocks(part: Partition, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """Blocks of whole lines (the last may lack its newline); raises `DamagedGzip` at the end."""
    if part.compressed:
        return _gzip_blocks(part.path, block_bytes)
    return _plain_blocks(part, block_bytes)


def line_start(handle: BinaryIO, start: int) -> int:
    """Offset of the first line that starts at or after `start`."""
    if start == 0:
        return 0
    handle.seek(start - 1)
    handle.readline()
    return handle.tell()


def _plain_blocks(part: Partition, block_bytes: int) -> Iterator[bytes]:
    with open(part.path, "rb") as handle:
        first = line_start(handle, part.start)
        handle.seek(first)
        remaining = part.end - first
        tail = b""
        while remaining > 0:
            data = handle.read(min(block_bytes, remaining))
            if not data:
                break
            remaining -= len(data)
            tail, whole = _split_tail(tail + data)
            if whole:
                yield whole
        if tail:
            yield tail + handle.readline()  # the line began inside the range: it is ours


WINDOW_BYTES = 2 * 1024 * 1024


def plain_windows(part: Partition, window: int = WINDOW_BYTES) -> Iterator[tuple[bytearray, int]]:
    """The lines of a plain partition as `(buffer, end)`: `buffer[:end]` holds whole lines
    (the last one may lack its newline at the end of the range). The buffer is reused: read
    it before asking for the next window. Filled with `readinto`: no copy but the read."""
    with open(part.path, "rb") as handle:
        first = line_start(handle, part.start)
        handle.seek(first)
        remaining, carry = part.end - first, 0
        buffer = bytearray(window)
        while remaining > 0:
            if carry >= len(buffer) // 2:  # a line longer than half the window: grow it
                buffer.extend(bytes(len(buffer)))
            with memoryview(buffer) as view:
                got = handle.readinto(view[carry : carry + min(len(buffer) - carry, remaining)])
            if not got:
                break
            remaining, filled = remaining - got, carry + got
            cut = buffer.rfind(b"\n", 0, filled) + 1
            if cut:
                yield buffer, cut
            carry = filled - cut
            buffer[:carry] = buffer[cut:filled]
        if carry:  # the last line began inside the range: it is ours, to its end
            last = bytearray(buffer[:carry]) + handle.readline()
            yield last, len(last)


def _split_tail(data: bytes) -> tuple[bytes, bytes]:
    cut = data.rfind(b"\n") + 1
    return data[cut:], data[:cut]


def _gzip_blocks(path: str, block_bytes: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits=31)
    tail = b""
    with open(path, "rb") as handle:
        while raw := handle.read(block_bytes // 4):
            try:
                data = _inflate(inflater, raw)
            except zlib.error as exc:
                raise DamagedGzip(f"corrupt gzip data ({exc})") from exc
            if inflater.eof and inflater.unused_data:  # a multi-member file: next member
                rest, inflater = inflater.unused_data, zlib.decompressobj(wbits=31)
                data += _inflate(inflater, rest)
            tail, whole = _split_tail(tail + data)
            if whole:
                yield whole
    if not inflater.eof:  # the partial last line is dropped; the error names its line
        raise DamagedGzip("truncated gzip file (the compressed stream ends early)")
    yield from _finish(tail)


def _inflate(inflater: zlib._Decompress, raw: bytes) -> bytes:
    return inflater.decompress(raw)


def _finish(tail: bytes) -> Iterator[bytes]:
    if tail:
        yield tail
