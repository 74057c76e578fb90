"""Sign-in throttling, per account and per address, kept in the database so that it holds across every
gunicorn worker and app server (a per-process counter would give each worker its own allowance)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..extensions import db
from ..sqltypes import utcnow
from .models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5  # failures in WINDOW before the account is held
MAX_PER_ADDRESS = 20  # failures in WINDOW from one address, whatever the accounts


def retry_after(username: str, address: str, now: datetime | None = None) -> int | None:
    """Seconds to wait before another attempt, or None when an attempt is allowed."""
    now = now or utcnow()
    waits = []
    for column, value, limit in (
        (LoginFailure.username, username, MAX_PER_ACCOUNT),
        (LoginFailure.address, address, MAX_PER_ADDRESS),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(
                column == value, LoginFailure.failed_at >= now - WINDOW
            )
        ).one()
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            waits.append(max(1, int((oldest + WINDOW - now).total_seconds())))
    return max(waits) if waits else None


def record_failure(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < utcnow() - timedelta(days=1)))
    db.session.add(LoginFailure(username=username[:80], address=address[:64]))


def clear(username: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
