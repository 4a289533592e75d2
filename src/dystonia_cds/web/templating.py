"""The Jinja2 environment of the web app: autoescape on for every template, one instance per
app, static URLs carry a content hash so that assets can be cached for long."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dystonia_cds import DISCLAIMER, __version__

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def _asset_versions() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in STATIC.iterdir()
        if p.is_file()
    }


@dataclass(slots=True)
class Renderer:
    """Renders templates into HTML responses with the shared globals."""

    env: Environment = field(init=False)
    versions: dict[str, str] = field(default_factory=_asset_versions)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(disclaimer=DISCLAIMER, version=__version__, static=self.static_url)

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.versions.get(name, __version__)}"

    def page(
        self, request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        values = {"request": request, "user": user, "csrf": user.csrf_token if user else ""}
        values.update(context)
        html = self.env.get_template(name).render(values)
        return HTMLResponse(html, status_code=status_code)

    def form_page(
        self,
        request: Request,
        template: str,
        patient: tuple[str, str],
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int,
        **extra: Any,
    ) -> HTMLResponse:
        """An entry form about one patient (`patient`: id and display name), with the values
        entered so far and the errors per field; `extra` adds what the template lists."""
        from dystonia_cds.web.vocab import label

        pid, name = patient
        context = {"patient_id": pid, "name": name, "values": values, "errors": errors}
        return self.page(request, template, {**context, "label": label, **extra}, status_code)
