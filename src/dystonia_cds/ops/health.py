"""`/healthz` (the process answers), `/readyz` (the database is reachable and its schema is
the one this version expects) and `/metrics` (Prometheus). No authentication and no patient
data: a load balancer and Prometheus call them; restrict them at the reverse proxy if they
must not be public (docs/deploy.md)."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text

from dystonia_cds.context import AppContext
from dystonia_cds.ops.metrics import METRICS_PATH, exposition, watch_pool

log = logging.getLogger(__name__)


def readiness(engine: Engine, expected: set[str]) -> str | None:
    """None when ready, else what is wrong (without connection details)."""
    from dystonia_cds.store.database import current_heads

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        missing = expected - current_heads(engine)
    except Exception as exc:  # any failure to reach the database means not ready
        log.warning("readiness: database not reachable (%s)", type(exc).__name__)
        return "database not reachable"
    if missing:
        return "database schema is behind this version (run `dystonia-cds db upgrade`)"
    return None


def install(app: FastAPI, ctx: AppContext) -> None:
    from dystonia_cds.store.database import script_heads

    engine: Engine = ctx.sessions.kw["bind"]
    expected = script_heads(engine)
    watch_pool(engine)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        problem = readiness(engine, expected)
        if problem is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready", "reason": problem}, status_code=503)

    @app.get(METRICS_PATH, include_in_schema=False)
    def metrics() -> Response:
        body, media_type = exposition()
        return Response(body, media_type=media_type)
