"""The absolute link of an invitation: from `DYSTONIA_CDS_PUBLIC_URL` when it is set, else
from the base URL of the request that created it."""

from __future__ import annotations

import re

from starlette.requests import Request

from dystonia_cds.config import Settings

INVITATION_PATH = "/invitation/"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def public_base(settings: Settings, request: Request) -> str:
    if "public_url" in settings.model_fields_set:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def invitation_url(settings: Settings, request: Request, token: str) -> str:
    return f"{public_base(settings, request)}{INVITATION_PATH}{token}"
