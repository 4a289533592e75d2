"""The demo clinician account for `serve --demo`.

`ensure_demo_clinician(ctx)` creates the account `demo` (role clinician) when it is missing.
Only a hash of the password is ever stored, so an existing account's password is unknown:
it is reset to a new random one, and the caller prints the pair at each start.
"""

from __future__ import annotations

import logging
import secrets

from dystonia_cds.context import AppContext
from dystonia_cds.web.accounts import create_user, find_user, set_password

log = logging.getLogger(__name__)
DEMO_USERNAME = "demo"


def new_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_demo_clinician(ctx: AppContext) -> tuple[str, str]:
    """(username, password) of the demo clinician; idempotent, safe to call at every start."""
    password = new_password()
    with ctx.sessions.begin() as session:
        user = find_user(session, DEMO_USERNAME)
        if user is None:
            create_user(session, DEMO_USERNAME, "clinician", password)
            log.info("created the demo clinician account")
        else:
            user.active = True
            set_password(session, user, password)
            log.info("reset the demo clinician's password")
    return DEMO_USERNAME, password
