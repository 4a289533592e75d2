"""ASGI entry for process managers and `serve --workers N`: `uvicorn --factory
dystonia_cds.asgi:create`. Settings are read from the environment (`DYSTONIA_CDS_*`)."""

from __future__ import annotations

from fastapi import FastAPI


def create() -> FastAPI:
    from dystonia_cds.app import create_app
    from dystonia_cds.config import get_settings

    return create_app(get_settings())
