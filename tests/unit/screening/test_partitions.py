"""Byte-range partitions and block reading: every line read exactly once, damaged gzip named."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.screening.lines import DamagedGzip, read_blocks
from dystonia_cds.screening.partitions import Partition, find_export_files, plan_partitions


def _read_all(parts: list[Partition], block_bytes: int) -> list[bytes]:
    return [
        line
        for part in parts
        for block in read_blocks(part, block_bytes)
        for line in block.splitlines()
    ]


def _collect(part: Partition, into: list[bytes]) -> None:
    for block in read_blocks(part, 256):
        into.extend(block.splitlines())


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.binary(min_size=0, max_size=40).map(
            lambda b: b.replace(b"\n", b"x").replace(b"\r", b"y")
        ),
        max_size=60,
    ),
    target=st.integers(min_value=1, max_value=200),
    block=st.integers(min_value=1, max_value=64),
    final_newline=st.booleans(),
)
def test_byte_ranges_deliver_every_line_exactly_once(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    target: int,
    block: int,
    final_newline: bool,
) -> None:
    path = tmp_path_factory.mktemp("p") / "Patient.000.ndjson"
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path.write_bytes(data)
    parts = plan_partitions([path], target)
    assert _read_all(parts, block) == data.splitlines()


def test_a_multi_member_gzip_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "Patient.000.ndjson.gz"
    path.write_bytes(gzip.compress(b"a\nb\n") + gzip.compress(b"c\n"))
    assert _read_all(plan_partitions([path]), 1024) == [b"a", b"b", b"c"]


def test_a_truncated_gzip_delivers_whole_lines_then_says_so(tmp_path: Path) -> None:
    path = tmp_path / "Patient.000.ndjson.gz"
    whole = gzip.compress(b"".join(b'{"n": %d}\n' % i for i in range(2000)))
    path.write_bytes(whole[: len(whole) // 2])
    lines: list[bytes] = []
    with pytest.raises(DamagedGzip, match="truncated"):
        _collect(plan_partitions([path])[0], lines)
    assert 0 < len(lines) < 2000
    assert lines == [b'{"n": %d}' % i for i in range(len(lines))]


def test_a_missing_directory_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a directory"):
        find_export_files(tmp_path / "nowhere")


def test_an_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"no \.ndjson"):
        find_export_files(tmp_path)


def test_files_of_types_screening_does_not_read_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "Encounter.000.ndjson").write_text("{}\n")
    (tmp_path / "Patient.000.ndjson").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in find_export_files(tmp_path)] == ["Patient.000.ndjson"]
