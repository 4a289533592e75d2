"""`dystonia-cds user add`: create a web app account (the first one should be an admin)."""

from __future__ import annotations

import sys

from dystonia_cds import exit_codes
from dystonia_cds.config import get_settings
from dystonia_cds.store.database import open_database
from dystonia_cds.web.accounts import create_user


def user_add(username: str, role: str, password: str, database: str | None) -> int:
    """Create the account; bad input raises `InvalidInput` naming the field (exit 2)."""
    settings = get_settings(database_url=database)
    sessions = open_database(settings.database_url)
    with sessions.begin() as session:
        create_user(session, username, role, password)
    sys.stdout.write(f"created {role} account {username!r}\n")
    return exit_codes.OK
