"""Record and verify the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, text

from ..extensions import db
from ..sqltypes import utcnow
from .models import AuditEvent

GENESIS_HASH = "0" * 64


def _event_hash(prev_hash: str, event: AuditEvent) -> str:
    body = {
        "unit_id": event.unit_id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def record(action: str, *, unit_id=None, actor_id=None, object_type=None, object_id=None, data=None) -> AuditEvent:
    """Append an event to the chain in the current transaction (it commits or rolls back with the change it
    describes). Appends are serialised before the head is read (`_lock_the_chain`), so that under any
    concurrency each event extends the head the previous writer committed: the chain never forks."""
    _lock_the_chain()
    head = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    prev_hash = head.hash if head is not None else GENESIS_HASH
    event = AuditEvent(
        unit_id=unit_id,
        occurred_at=utcnow().replace(microsecond=0),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
        prev_hash=prev_hash,
    )
    event.hash = _event_hash(prev_hash, event)
    db.session.add(event)
    db.session.flush()
    return event


# The key of PostgreSQL's transaction-level advisory lock that serialises appends ("MCAUDIT" in ASCII).
CHAIN_LOCK_KEY = 0x4D4341554449_54


def _lock_the_chain() -> None:
    """Hold the chain until this transaction ends, and only then read its head.

    PostgreSQL: a transaction-level advisory lock; a writer that waited for it reads the head afterwards, in a new
    statement, so it sees the event the previous writer committed (a row lock on the old head does not: the
    waiter would re-read that row and fork the chain). SQLite: a write statement that changes nothing takes the
    database's write lock, which also lasts until the transaction ends."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        db.session.execute(text("UPDATE audit_events SET id = id WHERE 0"))


def verify_chain() -> tuple[int, int | None]:
    """Walk the chain in order; return (events checked, id of the first broken event or None)."""
    prev_hash = GENESIS_HASH
    checked = 0
    for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        if event.prev_hash != prev_hash or _event_hash(prev_hash, event) != event.hash:
            return checked, event.id
        prev_hash = event.hash
        checked += 1
    return checked, None
