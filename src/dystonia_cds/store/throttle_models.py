"""Sign-in failures, shared by every worker process and node through the database (or Redis,
`web.throttle`): one row per throttled key (`user:<name>` or `addr:<client address>`) with
its count of recent failures and the time of the last one (seconds since the epoch)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dystonia_cds.store.base import Base


class SignInFailures(Base):
    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[float] = mapped_column(Float)
