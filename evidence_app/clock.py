"""The app's clock: `utcnow()` for timestamps and `today()`, the day in the unit's time zone. One clock, so that
a replayed history (the demo's ten weeks, the as-of tests) and a pinned demo day (`minhchung demo --today`,
config `TODAY`) move every timestamp together.

- `frozen_at(moment)`: inside the block, every timestamp is `moment` (the demo's seeding and replay tests).
- config `TODAY` (a date): the app runs that many days away from the real calendar; times of day still pass."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

_frozen: ContextVar[datetime | None] = ContextVar("frozen_clock", default=None)
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def _offset() -> timedelta:
    pinned = current_app.config.get("TODAY") if has_app_context() else None
    if not pinned:
        return timedelta(0)
    return timedelta(days=(pinned - datetime.now(zone()).date()).days)


def utcnow() -> datetime:
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return datetime.now(UTC) + _offset()


def today() -> date:
    """The current day where the unit is (Vietnam unless configured)."""
    return utcnow().astimezone(zone()).date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _frozen.reset(token)
