"""`dystonia-cds serve`: the web app, the care REST API and the CDS Hooks service in one
process (uvicorn). A new, empty database gets the schema; a database whose schema is behind
is refused (`SchemaOutOfDate`, naming `dystonia-cds db upgrade`). `--demo` seeds synthetic
demo patients (once), creates an API token and the demo clinician, and prints both."""

from __future__ import annotations

import logging
import os
import sys

from dystonia_cds import DISCLAIMER
from dystonia_cds.config import Settings, get_settings
from dystonia_cds.context import AppContext

log = logging.getLogger(__name__)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _demo(ctx: AppContext) -> None:
    from dystonia_cds.store.demo import seed_demo
    from dystonia_cds.store.tokens import create_token

    created = seed_demo(ctx.sessions)
    log.info("demo patients: %d created", created)
    with ctx.sessions.begin() as session:
        token = create_token(session, "demo")
    _say(f"demo token: {token}")
    try:
        from dystonia_cds.web.demo import ensure_demo_clinician
    except ModuleNotFoundError:
        log.warning("the web app's demo clinician is not available in this build")
        return
    username, password = ensure_demo_clinician(ctx)
    _say(f"demo sign-in: {username} / {password}")


def _uvicorn_run(settings: Settings, ctx: AppContext, host: str, port: int, workers: int) -> None:
    import uvicorn

    if workers > 1:
        # Each worker process builds its own app from the environment (dystonia_cds.asgi).
        os.environ["DYSTONIA_CDS_DATABASE_URL"] = settings.database_url
        ctx.sessions.kw["bind"].dispose()
        uvicorn.run("dystonia_cds.asgi:create", factory=True, host=host, port=port, workers=workers)
        return
    from dystonia_cds.app import create_app

    uvicorn.run(create_app(settings, ctx), host=host, port=port, log_level="info")


def run(*, host: str, port: int, database: str | None, demo: bool, workers: int) -> int:
    from dystonia_cds.app import create_context

    settings = get_settings(database_url=database)
    ctx = create_context(settings)  # creates the schema on an empty database, or refuses
    if demo:
        _demo(ctx)
    _say(
        f"dystonia-cds serving on http://{host}:{port} (care API under /api, CDS Hooks under /cds-services)"
    )
    _say(DISCLAIMER)
    _uvicorn_run(settings, ctx, host, port, max(1, workers))
    return 0
