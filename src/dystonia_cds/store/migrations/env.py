"""Alembic environment: runs against the engine passed in `config.attributes["engine"]`,
or the URL in `DYSTONIA_CDS_DATABASE_URL` when run by the `alembic` command."""

from __future__ import annotations

import os

from alembic import context

import dystonia_cds.store.models  # noqa: F401  (registers every table on Base.metadata)
from dystonia_cds.store.base import Base
from dystonia_cds.store.database import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(
            os.environ.get("DYSTONIA_CDS_DATABASE_URL", "sqlite:///dystonia-cds.sqlite")
        )
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
