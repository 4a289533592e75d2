"""Typed settings, read once at the edge (`create_app(settings)`, the CLI) and passed down.

Environment variables use the prefix `DYSTONIA_CDS_` (e.g. `DYSTONIA_CDS_DATABASE_URL`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - refused outside development


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'dystonia-cds.sqlite'}"


class TrustedIssuer(BaseModel):
    """A CDS Hooks issuer: its JWKS and the FHIR servers its calls may name as `fhirServer`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    jwks_url: str
    fhir_servers: list[str] = Field(default_factory=list)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DYSTONIA_CDS_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default_factory=default_database_url)
    # Public base URL of this service (CDS Hooks `aud` is PUBLIC_URL + /cds-services/{id}).
    public_url: str = "http://127.0.0.1:8000"
    # JSON object: issuer -> JWKS URL, e.g. {"https://ehr.example": "https://ehr.example/jwks"},
    # or issuer -> {"jwks_url": ..., "fhir_servers": [base URLs the CDS fallback may fetch from]}
    trusted_issuers: dict[str, str | TrustedIssuer] = Field(default_factory=dict)
    # Turns JWT verification off for CDS Hooks; logged loudly at start-up.
    insecure_dev: bool = False
    max_body_bytes: int = 1_000_000
    secret_key: str = PLACEHOLDER_SECRET
    session_max_age_s: int = 8 * 3600  # a web session ends this long after sign-in ...
    session_idle_s: int = 30 * 60  # ... or this long after its last request, if sooner
    fhir_timeout_s: float = 10.0
    jwks_cache_s: int = 300
    # redis://host:6379/0: JWT jti replay checks shared by every worker and node (else per process)
    replay_cache_url: str | None = None
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    # Reverse proxies (IPs or CIDRs) whose X-Forwarded-For / -Proto are believed; none by default
    trusted_proxies: list[str] = Field(default_factory=list)
    json_logs: bool = False  # one JSON object per log line (access and application logs)
    # Server limits (`serve`): header block size, whole-request read deadline, idle keep-alive,
    # concurrent connections+tasks (503 beyond it)
    max_header_bytes: int = 64 * 1024
    request_read_timeout_s: float = 30.0
    keep_alive_s: int = 5
    limit_concurrency: int = 200
    # redis://...: sign-in throttling shared through Redis (else through the database)
    throttle_url: str | None = None
    # SMART App Launch: JSON object, FHIR base URL (the `iss`) -> {"client_id", "client_secret"?,
    # "scopes"?}; an `iss` not listed is refused before any request to it (docs/smart.md)
    smart_clients: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Printed on every patient handout (page and PDF): who the patient or carer should contact
    clinic_name: str = "Movement disorders clinic"
    clinic_contact: str = "Ask the clinic team for a phone number and an email address."

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError("DYSTONIA_CDS_SECRET_KEY must be set to a real secret in production")
        return self


def get_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (used by the CLI)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
