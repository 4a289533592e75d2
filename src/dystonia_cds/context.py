"""What the HTTP adapters share in one process: settings, the database, the knowledge base.

Built once by `create_app(settings)`; routers receive it, nothing is created at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from dystonia_cds.config import Settings
    from dystonia_cds.knowledge import KnowledgeBase


@dataclass(slots=True)
class AppContext:
    settings: Settings
    sessions: sessionmaker[Session]
    knowledge: KnowledgeBase
