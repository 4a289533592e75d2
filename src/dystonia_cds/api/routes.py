"""The care REST API under `/api` (DESIGN.md "Care REST API"): bearer-token auth, one
transaction per request, every call audited, errors mapped by `api.errors`. The OpenAPI
schema is published by FastAPI at `/openapi.json`."""

from __future__ import annotations

from fastapi import FastAPI

from dystonia_cds.context import AppContext


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the care API routers to the app."""
    from dystonia_cds.api import care, diary, invitations, patients, records
    from dystonia_cds.api.calls import TokenCache

    app.state.api_tokens = TokenCache()
    app.include_router(care.router)
    app.include_router(records.router)  # `/api/patients/import` before `/{patient_id}`
    app.include_router(patients.router)
    app.include_router(invitations.router)  # patient companion: one-time account links
    app.include_router(diary.router)
