"""Prometheus metrics (`GET /metrics`, prometheus-client's text format).

- `dystonia_cds_http_requests_total{method, route, status}` and
  `dystonia_cds_http_request_duration_seconds{method, route}`: per route template
  (`/api/patients/{patient_id}`), never the concrete path (no ids, no query strings).
- `dystonia_cds_cds_cards_total{service, topic}`: cards issued; the CDS Hooks service
  increments `CARDS_ISSUED.labels(service=..., topic=...).inc(n)`.
- `dystonia_cds_replay_cache_errors_total`: JWT replay-cache (Redis) failures;
  the CDS Hooks service increments `REPLAY_CACHE_ERRORS.inc()`.
- `dystonia_cds_db_pool_connections{state}`: checked-out, idle and overflow connections of
  the database pool of each app in the process.

With several worker processes, set `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's
multiprocess mode) so that `/metrics` adds up every worker (docs/deploy.md).
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from dystonia_cds.ops.faults import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "dystonia_cds_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "dystonia_cds_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CARDS_ISSUED = Counter("dystonia_cds_cds_cards", "CDS Hooks cards issued", ["service", "topic"])
REPLAY_CACHE_ERRORS = Counter(
    "dystonia_cds_replay_cache_errors", "JWT replay-cache failures (Redis unreachable ...)"
)
METRICS_PATH = "/metrics"


class PoolCollector(Collector):
    """The connection pools of the engines registered with `watch_pool` (weakly held)."""

    def __init__(self) -> None:
        self.engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "dystonia_cds_db_pool_connections", "Database pool connections", labels=["state"]
        )
        totals = {"checked_out": 0, "idle": 0, "overflow": 0}
        for engine in list(self.engines):
            pool = engine.pool
            if isinstance(pool, QueuePool):
                totals["checked_out"] += pool.checkedout()
                totals["idle"] += pool.checkedin()
                totals["overflow"] += max(0, pool.overflow())
        for state, value in totals.items():
            family.add_metric([state], value)
        yield family


POOLS = PoolCollector()
REGISTRY.register(POOLS)


def watch_pool(engine: Engine) -> None:
    POOLS.engines.add(engine)


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    return "/static" if str(scope.get("path", "")).startswith("/static/") else "unmatched"


class RequestMetrics:
    """Pure ASGI middleware counting and timing every HTTP request by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == METRICS_PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            method, route = str(scope.get("method", "")), _route_of(scope)
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)


def exposition() -> tuple[bytes, str]:
    """The metrics text; every worker's when prometheus-client's multiprocess mode is on."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry: Any = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(POOLS)  # this worker's pool
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
