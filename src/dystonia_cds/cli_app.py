"""The Typer app of `dystonia-cds`: options only; bodies live in `dystonia_cds.commands.*` and
are imported lazily. `dystonia_cds.cli.main` runs a plain `recommend` without loading this."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from dystonia_cds import exit_codes

app = typer.Typer(
    name="dystonia-cds",
    help="Dystonia treatment decision support for clinicians (not a substitute for "
    "clinical judgment).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain Click help: the rich panels print "<bool>" beside every flag and --help (typer 0.29)
    rich_markup_mode=None,
)
knowledge_app = typer.Typer(help="Inspect and validate the knowledge base.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the care REST API.", no_args_is_help=True)
user_app = typer.Typer(help="Web app accounts.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"dystonia-cds: error: {message}\n")
    raise typer.Exit(code)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        _fail(f"{option} must be a date as YYYY-MM-DD, got {value!r}", exit_codes.BAD_INPUT)
        raise  # unreachable; keeps type checkers content


def _guarded(body: Callable[[], int]) -> None:
    """Run a command body; turn the error tree into one line on stderr and a named exit code."""
    from dystonia_cds.domain.errors import DystoniaCdsError

    try:
        code = body()
    except DystoniaCdsError as exc:
        code = exit_codes.exit_code_for(exc)
        _fail(str(exc).replace("\n", " "), code)
    except KeyboardInterrupt:
        _fail("interrupted", exit_codes.UNEXPECTED)
    if code:
        raise typer.Exit(code)


@app.command()
def recommend(
    file: Annotated[Path, typer.Argument(help="FHIR R4 Bundle (JSON) for one patient.")],
    at: Annotated[
        str | None, typer.Option(help="Evaluation date YYYY-MM-DD (default today).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Ranked, explained treatment options and alerts for one patient."""
    if format not in ("text", "json"):
        _fail(f"--format must be text or json, got {format!r}", exit_codes.BAD_INPUT)
    on = _parse_date(at, "--at")
    from dystonia_cds.commands import recommend as command

    _guarded(lambda: command.run(file, on, format))


@knowledge_app.command("check")
def knowledge_check() -> None:
    """Load and validate the knowledge base; list what it holds."""
    from dystonia_cds.commands import knowledge as command

    _guarded(command.check)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
    demo: Annotated[bool, typer.Option(help="Seed demo patients and a demo clinician.")] = False,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """The web app, the care REST API and the CDS Hooks service in one process."""
    from dystonia_cds.commands import serve as command

    _guarded(
        lambda: command.run(host=host, port=port, database=database, demo=demo, workers=workers)
    )


@app.command()
def screen(
    directory: Annotated[Path, typer.Argument(help="FHIR Bulk Data export (NDJSON files).")],
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("screening-out"),
    at: Annotated[
        str | None, typer.Option(help="Evaluation date YYYY-MM-DD (default today).")
    ] = None,
    measures: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated measure ids (default: all): levodopa-trial-missing, "
            "botulinum-toxin-too-soon, botulinum-toxin-overdue, anticholinergic-older-adult, "
            "tetrabenazine-depression, dbs-evaluation, wilson-disease-screen."
        ),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="tcp://HOST:PORT (Dask) or local:N (LocalCluster).")
    ] = None,
    processes: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    max_errors: Annotated[float, typer.Option(help="Error share that fails the run.")] = 0.01,
) -> None:
    """Population screening: care-gap measures over a FHIR Bulk export."""
    on = _parse_date(at, "--at")
    from dystonia_cds.commands import screen as command

    _guarded(
        lambda: command.run(
            directory=directory,
            out=out,
            on=on,
            measures=measures,
            scheduler=scheduler,
            processes=processes,
            max_errors=max_errors,
        )
    )


@app.command()
def synth(
    patients: Annotated[
        int | None, typer.Option(help="A dystonia clinic of N patients (default 1000).")
    ] = None,
    population: Annotated[
        int | None, typer.Option(help="A health system of N patients instead.")
    ] = None,
    prevalence: Annotated[float, typer.Option(help="Share of --population with dystonia.")] = 0.005,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("synthetic-export"),
    seed: Annotated[int, typer.Option(help="Random seed (deterministic output).")] = 1,
    gzip: Annotated[bool, typer.Option(help="Write every file as .ndjson.gz.")] = False,
) -> None:
    """Write a synthetic FHIR Bulk Data export (synthetic data only)."""
    from dystonia_cds.commands import synth as command

    _guarded(
        lambda: command.run(
            patients=patients,
            population=population,
            prevalence=prevalence,
            out=out,
            seed=seed,
            gzip=gzip,
        )
    )


@db_app.command("upgrade")
def db_upgrade(
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
) -> None:
    """Apply database migrations (Alembic) up to the current schema."""
    from dystonia_cds.commands import admin as command

    _guarded(lambda: command.db_upgrade(database))


@db_app.command("backup")
def db_backup(
    to: Annotated[Path, typer.Option(help="The backup file to write (must not exist).")],
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
) -> None:
    """Copy a SQLite database while the server runs (online backup; PostgreSQL: pg_dump)."""
    from dystonia_cds.commands import db as command

    _guarded(lambda: command.backup(database, to))


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for.")],
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
) -> None:
    """Create an API token; it is printed once (stored hashed) as the last word."""
    from dystonia_cds.commands import admin as command

    _guarded(lambda: command.token_create(name, database))


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Option(help="Name of the token(s) to revoke.")],
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
) -> None:
    """Revoke every active API token of that name."""
    from dystonia_cds.commands import admin as command

    _guarded(lambda: command.token_revoke(name, database))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="clinician or admin.")] = "clinician",
    password: Annotated[str | None, typer.Option(help="Password (prompted when omitted).")] = None,
    database: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
) -> None:
    """Create a web app account (the first one should be an admin)."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    from dystonia_cds.commands import users as command

    _guarded(lambda: command.user_add(username, role, password, database))
