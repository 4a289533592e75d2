"""The same two phases on a Dask distributed cluster.

Map tasks run over partitions (file byte ranges read as bytes by the task itself, not
`dask.bag.read_text`); each map result stays on its worker and small `bucket_of` tasks pick
its packed bucket bytes, so a reduce task receives only its own bucket's facts (a hand-made
shuffle on `zlib.crc32(patient id)`, not `bag.foldby`/`groupby`, which are 4x slower here).

`--scheduler tcp://HOST:PORT` connects to a running scheduler; `--scheduler local:N` starts a
LocalCluster of N worker processes, one thread each, dashboard off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dystonia_cds.domain.errors import InvalidInput, UpstreamUnavailable
from dystonia_cds.screening.grouping import reduce_bucket
from dystonia_cds.screening.job import Outcome, Progress, ScreenJob, bucket_of, shared_of, strip
from dystonia_cds.screening.mapper import map_partition

logger = logging.getLogger(__name__)


def parse_scheduler(address: str) -> tuple[str, int | str]:
    """('local', N) for `local:N`, else ('remote', address) for `tcp://HOST:PORT`."""
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise InvalidInput(
                f"local:N needs a worker count >= 1, got {address!r}", location="--scheduler"
            )
        return "local", int(count)
    if address.startswith(("tcp://", "tls://", "ucx://")):
        return "remote", address
    raise InvalidInput(
        f"expected tcp://HOST:PORT or local:N, got {address!r}", location="--scheduler"
    )


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A connected `distributed.Client` (and its LocalCluster for `local:N`), closed afterwards."""
    import distributed

    client_type: Any = distributed.Client
    cluster_type: Any = distributed.LocalCluster
    kind, target = parse_scheduler(address)
    if kind == "local":
        cluster = cluster_type(
            n_workers=int(target), threads_per_worker=1, processes=True, dashboard_address=None
        )
        with cluster, client_type(cluster) as client:
            yield client
        return
    try:
        client = client_type(str(target), timeout="5s")
    except (OSError, TimeoutError) as exc:
        raise UpstreamUnavailable(f"cannot reach the Dask scheduler at {target}: {exc}") from exc
    with client:
        yield client


def run_dask(job: ScreenJob, progress: Progress, client: Any) -> Outcome:
    """Map over partitions, shuffle packed bucket bytes, reduce buckets; all on the cluster."""
    import distributed

    as_completed: Any = distributed.as_completed
    outcome = Outcome()
    maps = client.map(map_partition, job.partitions, buckets=job.buckets, pure=False)
    stats = client.map(strip, maps)
    shared = client.map(shared_of, maps)
    progress.phase("reading", sum(p.size for p in job.partitions))
    for future in as_completed(stats):
        result = future.result()
        outcome.add_map(result)
        progress.advance(result.size, result.resources)
    reduces = [
        client.submit(
            _reduce_parts, job, index, *client.map(bucket_of, maps, index=index), shared=shared
        )
        for index in range(job.buckets)
    ]
    progress.phase("evaluating", job.buckets)
    for future in as_completed(reduces):
        bucket = future.result()
        outcome.add_bucket(bucket)
        progress.advance(1, len(bucket.rows))
    return outcome.finish()


def _reduce_parts(job: ScreenJob, index: int, *blobs: bytes, shared: list[bytes]) -> Any:
    return reduce_bucket([b for b in blobs if len(b) > 1], shared, job.on, job.measure_ids)
