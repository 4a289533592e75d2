"""`dystonia-cds serve`: the web app, the care REST API and the CDS Hooks service in one
process (uvicorn). A new, empty database gets the schema; a database whose schema is behind
is refused (`SchemaOutOfDate`, naming `dystonia-cds db upgrade`). `--demo` seeds synthetic
demo patients (once), creates an API token and the demo clinician, and prints both; it is
refused when `DYSTONIA_CDS_ENVIRONMENT=production`.

The server runs with limits (settings `DYSTONIA_CDS_MAX_HEADER_BYTES`, `..._REQUEST_READ_TIMEOUT_S`,
`..._KEEP_ALIVE_S`, `..._LIMIT_CONCURRENCY`; docs/deploy.md): uvicorn's h11 protocol with a
header-size limit and a whole-request read deadline (`ops.protocol`), an idle keep-alive
timeout, a concurrency limit (503 beyond it), X-Forwarded-For believed only from
`DYSTONIA_CDS_TRUSTED_PROXIES`, and an access log without query strings (`ops.logs`)."""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from dystonia_cds import DISCLAIMER
from dystonia_cds.config import Settings, get_settings
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput

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


class PortInUse(InvalidInput):
    """The address to serve on cannot be bound (another server holds it): exit status 2."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port), made before the database is touched: a second
    `serve --demo` on a busy port stops here instead of resetting the demo password."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise PortInUse(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); is another server "
            "running there? Choose another --port",
            location="--port",
        ) from exc
    sock.set_inheritable(True)
    return sock


def _announce(host: str, port: int) -> None:
    _say(
        f"dystonia-cds serving on http://{host}:{port} (care API under /api, CDS Hooks under /cds-services)"
    )
    _say(DISCLAIMER)


def _uvicorn_run(
    settings: Settings, ctx: AppContext, sock: socket.socket, host: str, port: int, workers: int
) -> None:
    import uvicorn

    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        # Each worker process builds its own app from the environment (dystonia_cds.asgi).
        os.environ["DYSTONIA_CDS_DATABASE_URL"] = settings.database_url
        ctx.sessions.kw["bind"].dispose()
        os.environ["DYSTONIA_CDS_REQUEST_READ_TIMEOUT_S"] = str(settings.request_read_timeout_s)
        config = uvicorn.Config(
            "dystonia_cds.asgi:create", factory=True, workers=workers, **server_options(settings)
        )
        _announce(host, port)  # the socket listens; the workers accept on it
        Multiprocess(config, sockets=[sock]).run()
        return
    from dystonia_cds.app import create_app

    config = uvicorn.Config(create_app(settings, ctx), **server_options(settings))
    server = _announcing_server()(config, lambda: _announce(host, port))
    server.run(sockets=[sock])


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the limits and logging of the settings."""
    from dystonia_cds.ops.logs import log_config
    from dystonia_cds.ops.protocol import GuardedH11Protocol

    GuardedH11Protocol.read_timeout_s = settings.request_read_timeout_s
    return {
        "http": GuardedH11Protocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.keep_alive_s,
        "limit_concurrency": settings.limit_concurrency,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
        "server_header": False,
        "log_config": log_config(json_logs=settings.json_logs),
    }


def refuse_demo_in_production(settings: Settings, demo: bool) -> None:
    if demo and settings.environment == "production":
        raise InvalidInput(
            "seeds synthetic patients, an API token and a clinician with a known password; "
            "it is refused when DYSTONIA_CDS_ENVIRONMENT=production",
            location="--demo",
        )


def run(*, host: str, port: int, database: str | None, demo: bool, workers: int) -> int:
    from dystonia_cds.app import create_context

    sock = bind_socket(host, port)  # before the database: a busy port changes nothing
    try:
        settings = _settings(database)
        refuse_demo_in_production(settings, demo)
        ctx = create_context(settings)  # creates the schema on an empty database, or refuses
        if demo:
            _demo(ctx)
        _uvicorn_run(settings, ctx, sock, host, port, max(1, workers))
    finally:
        sock.close()
    return 0


def _settings(database: str | None) -> Settings:
    """The settings, or one line naming the setting that is wrong (never a traceback)."""
    from pydantic import ValidationError

    try:
        return get_settings(database_url=database)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "DYSTONIA_CDS_" + "_".join(str(p) for p in err["loc"][:1]).upper()
        raise InvalidInput(f"{name}: {err['msg']}", location="settings") from exc


def _announcing_server() -> Any:
    import uvicorn

    class Announcing(uvicorn.Server):
        """A uvicorn server that says "serving on" once it has started (and only then)."""

        def __init__(self, config: uvicorn.Config, announce: Callable[[], None]) -> None:
            super().__init__(config)
            self._announce_started = announce

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                self._announce_started()

    return Announcing
