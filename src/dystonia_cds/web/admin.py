"""Admin pages: accounts (list, create) and the feedback summary (per option helpful rate and
error reports, alert acknowledgements and overrides with their reasons, the latest votes; CDS
Hooks card acceptance when that table exists) with its CSV export. Clinicians get 403."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store.account_models import ROLES
from dystonia_cds.store.base import MAX_ROW_ID
from dystonia_cds.web import accounts
from dystonia_cds.web.acknowledgements import alert_summaries
from dystonia_cds.web.alert_actions import alert_title
from dystonia_cds.web.auth import CurrentAdmin, read_form
from dystonia_cds.web.charts import rate_chart
from dystonia_cds.web.feedback import card_summaries, feedback_rows, option_summaries
from dystonia_cds.web.feedback_export import feedback_csv
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit
from dystonia_cds.web.templating import Renderer


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


UserId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _create_account(
    ctx: AppContext, admin: accounts.SignedIn, username: str, role: str, password: str
) -> None:
    """Create the account (argon2: in the thread pool) and audit who created which."""
    with ctx.sessions.begin() as session:
        accounts.create_user(session, username, role, password)
        audit(session, admin, f"web.account.create {username[:64]} role={role[:16]}", None, 201)


def _change_account(
    ctx: AppContext, admin: accounts.SignedIn, user_id: int, role: str, active: bool
) -> None:
    with ctx.sessions.begin() as session:
        accounts.change_account(session, user_id, role=role, active=active)
        action = f"web.account.change user_id={user_id} role={role[:16]} active={active}"
        audit(session, admin, action, None)


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def users_page(
        request: Request, values: Mapping[str, object], errors: dict[str, str], status: int
    ) -> Response:
        with _ctx(request).sessions() as session:
            users = accounts.list_users(session)
        context = {
            "users": users,
            "roles": {r: r for r in ROLES},
            "values": values,
            "errors": errors,
        }
        return renderer.page(request, "admin_users.html", context, status)

    @router.get("/admin/users")
    def users(request: Request, user: CurrentAdmin) -> Response:
        return users_page(request, {"role": "clinician"}, {}, 200)

    @router.post("/admin/users")
    async def create_user(request: Request, user: CurrentAdmin) -> Response:
        reader = FormReader(await read_form(request))
        username, role = reader.raw("username"), reader.raw("role")
        password = reader.form.get("password")
        values = {"username": username, "role": role}
        try:
            secret = password if isinstance(password, str) else ""
            await run_in_threadpool(_create_account, _ctx(request), user, username, role, secret)
        except InvalidInput as exc:
            return users_page(
                request, values, {exc.location or "username": str(exc).split(": ", 1)[-1]}, 422
            )
        return RedirectResponse("/admin/users", status_code=303)

    @router.post("/admin/users/{user_id}")
    async def change_user(request: Request, user_id: UserId, user: CurrentAdmin) -> Response:
        reader = FormReader(await read_form(request))
        role = reader.raw("role")
        active = reader.flag("active")
        if user_id == user.user_id and (role != "admin" or not active):
            errors = {"self": "You cannot remove your own admin role or deactivate yourself."}
            return users_page(request, {"role": "clinician"}, errors, 422)
        try:
            await run_in_threadpool(_change_account, _ctx(request), user, user_id, role, active)
        except InvalidInput as exc:
            return users_page(request, {"role": "clinician"}, {"self": str(exc)}, 422)
        return RedirectResponse("/admin/users", status_code=303)

    @router.get("/admin/feedback")
    def feedback(request: Request, user: CurrentAdmin) -> Response:
        titles = option_titles(_ctx(request))
        with _ctx(request).sessions() as session:
            options = option_summaries(session, titles)
            cards = card_summaries(session)
            alerts = alert_summaries(session)
            votes = feedback_rows(session, kind="helpful", limit=20)
        rated = [
            (
                o.title,
                o.helpful_rate or 0.0,
                f"{o.title}: {o.helpful} of {o.answered} found it helpful",
            )
            for o in options
            if o.helpful_rate is not None
        ]
        card_rows = [
            (
                topic_title(c.topic, titles),
                c.acceptance_rate or 0.0,
                f"{topic_title(c.topic, titles)}: {c.accepted} accepted, {c.overridden} overridden",
            )
            for c in cards or []
            if c.acceptance_rate is not None
        ]
        context = {
            "options": options,
            "alerts": alerts,
            "votes": votes,
            "titles": titles,
            "topic_title": lambda topic: topic_title(topic, titles),
            "cards": cards,
            "chart": rate_chart("Helpful rate per option", rated),
            "card_chart": rate_chart("CDS Hooks card acceptance per topic", card_rows),
        }
        return renderer.page(request, "admin_feedback.html", context)

    @router.get("/admin/feedback.csv")
    def feedback_export(request: Request, user: CurrentAdmin) -> Response:
        titles = option_titles(_ctx(request))
        with _ctx(request).sessions.begin() as session:
            data = feedback_csv(session, titles)
            audit(session, user, "web.admin.feedback-export", None)  # it names patients
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="dystonia-cds-feedback.csv"'},
        )

    return router


def topic_title(topic: str, titles: Mapping[str, str]) -> str:
    """A CDS Hooks card topic (an option or alert id) in plain words."""
    return titles.get(topic) or alert_title(topic)


def option_titles(ctx: AppContext) -> dict[str, str]:
    """Option id -> title, from the knowledge base (pages show titles, never ids)."""
    return {o.id: o.title for o in getattr(ctx.knowledge, "options", ())}
