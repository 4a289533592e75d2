"""HTTP routes of the cdshooks adapter (placeholder until built)."""

from __future__ import annotations

from fastapi import FastAPI

from dystonia_cds.context import AppContext


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add this adapter's routes, middleware and exception handlers to the app."""
