"""The same two phases on a Dask distributed cluster.

Map tasks run over partitions (file byte ranges read as bytes by the task itself, not
`dask.bag.read_text`); each map result (packed facts per `zlib.crc32(patient id)` bucket)
stays on its worker. On a small cluster each reduce task takes the map results and picks its
bucket (each result travels to a worker at most once, and the graph stays small: one map,
one count and one reduce task per partition or bucket); on a larger one small `bucket_of`
tasks pick a bucket's bytes where they lie, so a reduce task receives only its own facts.
Not `bag.foldby`/`groupby`, which are 4x slower here.

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
from dystonia_cds.screening.mapper import MapResult, map_partition

logger = logging.getLogger(__name__)

DIRECT_WORKERS = 4  # clusters up to this size shuffle by handing whole map results to reducers


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


def run_dask(
    job: ScreenJob, progress: Progress, client: Any, *, direct: bool | None = None
) -> Outcome:
    """Map over partitions, shuffle packed bucket bytes, reduce buckets; all on the cluster.

    `direct` (default: up to `DIRECT_WORKERS` workers): each reduce task takes the map results
    themselves and picks its bucket (each result reaches a worker at most once; few tasks).
    On larger clusters small `bucket_of` tasks hand a reduce task only its bucket's bytes."""
    import distributed

    as_completed: Any = distributed.as_completed
    if direct is None:
        direct = len(client.scheduler_info().get("workers", {})) <= DIRECT_WORKERS
    outcome = Outcome()
    maps = client.map(
        map_partition, job.partitions, buckets=job.buckets, cohort=job.cohort, pure=False
    )
    stats = client.map(strip, maps)
    reduces = _submit_reduces(job, client, maps, direct=direct)
    progress.phase("reading", sum(p.size for p in job.partitions))
    for future in as_completed(stats):
        result = future.result()
        outcome.add_map(result)
        progress.advance(result.size, result.resources)
    progress.phase("evaluating", job.buckets)
    for future in as_completed(reduces):
        bucket = future.result()
        outcome.add_bucket(bucket)
        progress.advance(1, len(bucket.rows))
    return outcome.finish()


def _submit_reduces(job: ScreenJob, client: Any, maps: list[Any], *, direct: bool) -> list[Any]:
    """The whole graph up front: a bucket's reduce starts as soon as its inputs exist."""
    if direct:
        return [client.submit(_reduce_maps, job, i, *maps) for i in range(job.buckets)]
    shared = client.map(shared_of, maps)
    return [
        client.submit(_reduce_parts, job, i, *client.map(bucket_of, maps, index=i), shared=shared)
        for i in range(job.buckets)
    ]


def _reduce_maps(job: ScreenJob, index: int, *results: MapResult) -> Any:
    blobs = [r.buckets[index] for r in results]
    return _reduce_parts(job, index, *blobs, shared=[r.shared for r in results])


def _reduce_parts(job: ScreenJob, index: int, *blobs: bytes, shared: list[bytes]) -> Any:
    return reduce_bucket([b for b in blobs if len(b) > 1], shared, job.on, job.measure_ids)
