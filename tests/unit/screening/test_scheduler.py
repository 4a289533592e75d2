"""`--scheduler` addresses: local:N, tcp://HOST:PORT, and clear errors for anything else."""

from __future__ import annotations

import socket

import pytest

from dystonia_cds.domain.errors import InvalidInput, UpstreamUnavailable
from dystonia_cds.screening.dask_executor import dask_client, parse_scheduler


@pytest.mark.parametrize(
    ("address", "expected"),
    [("local:2", ("local", 2)), ("tcp://10.0.0.5:8786", ("remote", "tcp://10.0.0.5:8786"))],
)
def test_scheduler_addresses_are_understood(address: str, expected: tuple[str, object]) -> None:
    assert parse_scheduler(address) == expected


@pytest.mark.parametrize("address", ["local:0", "local:x", "10.0.0.5:8786", "http://host:8786"])
def test_other_scheduler_addresses_are_refused_by_name(address: str) -> None:
    with pytest.raises(InvalidInput, match="--scheduler"):
        parse_scheduler(address)


def test_an_unreachable_scheduler_is_reported_as_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        pytest.raises(UpstreamUnavailable, match="Dask scheduler"),
        dask_client(f"tcp://127.0.0.1:{port}"),
    ):
        pass
