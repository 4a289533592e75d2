"""`create_app(settings)`: the web app, the care REST API and the CDS Hooks service."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from dystonia_cds import DISCLAIMER, __version__
from dystonia_cds.config import Settings
from dystonia_cds.context import AppContext

log = logging.getLogger(__name__)


def create_context(settings: Settings) -> AppContext:
    from dystonia_cds.knowledge import load_knowledge
    from dystonia_cds.store.database import open_database

    sessions = open_database(settings.database_url)
    return AppContext(settings=settings, sessions=sessions, knowledge=load_knowledge())


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    """Assemble the application; `context` may be injected by tests."""
    from dystonia_cds.api.routes import install as install_api
    from dystonia_cds.cdshooks.routes import install as install_cdshooks
    from dystonia_cds.web.routes import install as install_web

    ctx = context or create_context(settings)
    app = FastAPI(
        title="dystonia-cds",
        version=__version__,
        description=DISCLAIMER,
    )
    app.state.context = ctx
    install_cdshooks(app, ctx)
    install_api(app, ctx)
    install_web(app, ctx)
    install_operations(app, ctx)
    return app


def install_operations(app: FastAPI, ctx: AppContext) -> None:
    """`/healthz`, `/readyz`, `/metrics`; database faults as 503 (an idempotent read retried
    once); every request counted and timed (the outermost middleware)."""
    from dystonia_cds.ops import health
    from dystonia_cds.ops.faults import DatabaseFaults
    from dystonia_cds.ops.metrics import RequestMetrics

    health.install(app, ctx)
    app.add_middleware(DatabaseFaults)
    app.add_middleware(RequestMetrics)
