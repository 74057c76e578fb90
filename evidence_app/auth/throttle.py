"""Sign-in throttling that slows a guesser without locking out the ward. Failed sign-ins are kept in the database,
so that the limits hold across every gunicorn worker and app server (a per-process counter would give each worker
its own allowance). Within `WINDOW`:

- one account from one address: `MAX_PER_ACCOUNT_AND_ADDRESS` failures hold that account at that address (a
  person's typos hold only their own account, and only where they type);
- one account from everywhere: `MAX_PER_ACCOUNT` failures hold the account (a guesser spread over addresses);
- one address: failures on `MAX_USERNAMES_PER_ADDRESS` different usernames hold the address (a guesser trying
  many accounts). Distinct usernames, not failures, so that a ward behind one NAT address is not held by one
  person's typos.

A hold ends by itself when its failures leave the window, or when an administrator unlocks the account or resets
its password (`clear`). A successful sign-in forgets the account's failures from its address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, desc, func, select

from ..extensions import db
from ..sqltypes import utcnow
from .models import LoginFailure

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT_AND_ADDRESS = 5
MAX_PER_ACCOUNT = 20
MAX_USERNAMES_PER_ADDRESS = 10
KEEP = timedelta(days=1)  # failures older than this are deleted


@dataclass(frozen=True)
class Hold:
    seconds: int  # until an attempt is allowed again
    scope: str  # "account": an administrator can unlock it; "address": many usernames failed from this address

    @property
    def minutes(self) -> int:
        """Rounded up, so that trying again after the minutes a page says does work."""
        return max(1, -(-self.seconds // 60))


def hold(username: str, address: str, now: datetime | None = None) -> Hold | None:
    """Why and how long a sign-in as `username` from `address` must wait, or None when it may be tried."""
    now = now or utcnow()
    recent = LoginFailure.failed_at > now - WINDOW  # a failure exactly WINDOW old has left: Retry-After is exact
    failures = select(LoginFailure.failed_at.label("at")).where(recent)
    usernames = (
        select(func.max(LoginFailure.failed_at).label("at"))
        .where(recent, LoginFailure.address == address)
        .group_by(LoginFailure.username)
    )
    holds = []
    for scope, statement, limit in (
        (
            "account",
            failures.where(LoginFailure.username == username, LoginFailure.address == address),
            MAX_PER_ACCOUNT_AND_ADDRESS,
        ),
        ("account", failures.where(LoginFailure.username == username), MAX_PER_ACCOUNT),
        ("address", usernames, MAX_USERNAMES_PER_ADDRESS),
    ):
        # The limit-th most recent failure: once it leaves the window, fewer than `limit` remain.
        limiting = db.session.execute(statement.order_by(desc("at")).offset(limit - 1).limit(1)).scalar()
        if limiting is not None:
            holds.append(Hold(max(1, int((limiting + WINDOW - now).total_seconds())), scope))
    return max(holds, key=lambda h: h.seconds) if holds else None


def record_failure(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < utcnow() - KEEP))
    db.session.add(LoginFailure(username=username[:80], address=address[:64]))


def clear(username: str, address: str | None = None) -> int:
    """Forget the failures of `username` (from `address` only, when given); returns how many."""
    statement = delete(LoginFailure).where(LoginFailure.username == username)
    if address is not None:
        statement = statement.where(LoginFailure.address == address)
    return db.session.execute(statement).rowcount
