"""Record and verify the hash-chained audit trail.

Each event's hash covers the hash of the event before it and the event's own content. New events are keyed:
HMAC-SHA256 with `AUDIT_KEY` (MINHCHUNG_AUDIT_KEY), which is never stored in the database, so whoever owns the
database can cut, rewrite or re-chain events but cannot make the hashes match again. Events written before
migration 0012 keep their plain SHA-256 ("sha256"); that scheme is accepted only in the chain's beginning,
before the first keyed event. The head (event count, last id and hash) is written into reports, packs and
`audit verify`'s output: an anchor that a later check compares the chain with (`check_chain(anchor=...)`), so
that cutting the newest events, or rebuilding the whole chain unkeyed, is caught as well."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field

import click
from flask import current_app, has_request_context
from sqlalchemy import Connection, func, select, text

from ..extensions import db
from ..sqltypes import utcnow
from .models import AuditEvent

GENESIS_HASH = "0" * 64
KEYED = "hmac-sha256"
UNKEYED = "sha256"  # events from before migration 0012
HASH_SCHEMES = (KEYED, UNKEYED)
MAX_BREAKS = 20  # how many breaks a check lists (it counts them all)


def _event_hash(prev_hash: str, event: AuditEvent, scheme: str = KEYED) -> str:
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
    message = (prev_hash + canonical).encode("utf-8")
    if scheme == UNKEYED:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(current_app.config["AUDIT_KEY"].encode("utf-8"), message, hashlib.sha256).hexdigest()


def record(action: str, *, unit_id=None, actor_id=None, object_type=None, object_id=None, data=None) -> AuditEvent:
    """Append an event to the chain in the current transaction (it commits or rolls back with the change it
    describes). Appends are serialised before the head is read (`_lock_the_chain`), so that under any
    concurrency each event extends the head the previous writer committed: the chain never forks.

    The actor: on pages and the API, the signed-in user; a command (`minhchung …`) has no signed-in user, so
    `actor_id` is the account it acts as when it names one (`upload --user`, `import --user`, `catalog import
    --relink-as`), else None, and every event a command writes names its operator in `data["operator"]`."""
    data = dict(data or {})
    if not has_request_context() and click.get_current_context(silent=True) is not None:
        data.setdefault("operator", cli_operator())
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
        data=data,
        prev_hash=prev_hash,
        hash_scheme=KEYED,
    )
    event.hash = _event_hash(prev_hash, event)
    db.session.add(event)
    db.session.flush()
    return event


def cli_operator() -> str:
    """Who runs a command: "cli:" and the operating system's user (LOGNAME or USER, else the account's name)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no such variable and no passwd entry (a container's arbitrary uid)
        name = f"uid {os.getuid()}"
    return f"cli:{name}"


# The key of PostgreSQL's transaction-level advisory lock that serialises appends ("MCAUDIT" in ASCII).
CHAIN_LOCK_KEY = 0x4D4341554449_54


def hold_the_chain() -> None:
    """For a service that reads before it writes (is this file stored already?): take the lock every append
    takes, now, so that a concurrent writer of the same thing waits until this transaction ends and then sees
    it. Taking it twice in one transaction is harmless."""
    _lock_the_chain()


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


def chain_head(connection: Connection | None = None) -> dict:
    """The chain's head as an anchor: how many events, the last one's id and hash (one statement, one snapshot);
    read through `connection` when given (a backup reads the head of the state it dumped)."""
    count = select(func.count(AuditEvent.id)).scalar_subquery()
    row = (
        (connection or db.session)
        .execute(select(AuditEvent.id, AuditEvent.hash, count).order_by(AuditEvent.id.desc()).limit(1))
        .first()
    )
    if row is None:
        return {"events": 0, "last_id": None, "last_hash": GENESIS_HASH}
    return {"events": row[2], "last_id": row[0], "last_hash": row[1]}


def read_anchor(data) -> dict:
    """The head in a JSON anchor: `chain_head()` itself (`audit anchor`), or under "head" (`audit verify
    --json`) or "audit_head" (a report, a pack's manifest.json). ValueError says what is wrong."""
    if isinstance(data, dict):
        for key in ("head", "audit_head"):
            if isinstance(data.get(key), dict):
                data = data[key]
                break
    if not isinstance(data, dict) or not {"events", "last_id", "last_hash"} <= set(data):
        raise ValueError("no audit chain head in it (events, last_id, last_hash)")
    events, last_id, last_hash = data["events"], data["last_id"], data["last_hash"]
    if (
        type(events) is not int
        or events < 0
        or not isinstance(last_hash, str)
        or (last_id is None) != (events == 0)
        or (last_id is not None and type(last_id) is not int)
    ):
        raise ValueError("its audit chain head is malformed")
    return {"events": events, "last_id": last_id, "last_hash": last_hash}


@dataclass
class ChainCheck:
    """What `check_chain` found: events walked, the breaks (the first MAX_BREAKS as (id, reason)), how many
    events carry the unkeyed hash of before 0012, the head, and what is wrong against the anchor if given."""

    events: int = 0
    breaks: list[tuple[int, str]] = field(default_factory=list)
    break_count: int = 0
    intact_before_first_break: int = 0
    unkeyed: int = 0
    head: dict = field(default_factory=dict)
    anchor_problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.break_count == 0 and self.anchor_problem is None

    def as_json(self) -> dict:
        return {
            "intact": self.intact,
            "events": self.events,
            "unkeyed": self.unkeyed,
            "break_count": self.break_count,
            "breaks": [{"id": event_id, "reason": reason} for event_id, reason in self.breaks],
            "anchor_problem": self.anchor_problem,
            "head": self.head,
        }


def _break_in(event: AuditEvent, prev_id: int | None, prev_hash: str, keyed_seen: bool) -> str | None:
    """Why `event` does not belong where it stands in the chain, or None. Each event is judged by its own link
    and content, so that one removed or altered event is one break, not the end of the check."""
    if event.prev_hash != prev_hash:
        before = f"event {prev_id}" if prev_id is not None else "the chain's start"
        return f"does not follow {before}: an event between them was removed or inserted, or {before} altered"
    if event.hash_scheme not in HASH_SCHEMES:
        return f"unknown hash scheme {event.hash_scheme!r}"
    if event.hash_scheme == UNKEYED and keyed_seen:
        return "unkeyed hash after keyed events: rewritten without the audit key"
    if _event_hash(event.prev_hash, event, event.hash_scheme) != event.hash:
        return "its hash does not match its content: altered (or MINHCHUNG_AUDIT_KEY is not the key it was made with)"
    return None


def check_chain(anchor: dict | None = None, max_breaks: int = MAX_BREAKS) -> ChainCheck:
    """Walk the whole chain in id order and report every break; with `anchor` (a head from `read_anchor`),
    also check that the chain still holds that head: the same hash at its last id, as many events up to it."""
    result = ChainCheck(head=chain_head())
    prev_id, prev_hash, keyed_seen = None, GENESIS_HASH, False
    anchor_seen: AuditEvent | None = None
    anchor_position = 0
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)).scalars()
    for event in events:
        reason = _break_in(event, prev_id, prev_hash, keyed_seen)
        if reason is not None:
            if result.break_count == 0:
                result.intact_before_first_break = result.events
            result.break_count += 1
            if len(result.breaks) < max_breaks:
                result.breaks.append((event.id, reason))
        result.events += 1
        result.unkeyed += event.hash_scheme == UNKEYED
        keyed_seen = keyed_seen or event.hash_scheme == KEYED
        if anchor is not None and event.id == anchor["last_id"]:
            anchor_seen, anchor_position = event, result.events
        prev_id, prev_hash = event.id, event.hash
    if result.break_count == 0:
        result.intact_before_first_break = result.events
    if anchor is not None:
        result.anchor_problem = _against_anchor(anchor, anchor_seen, anchor_position)
    return result


def _against_anchor(anchor: dict, seen: AuditEvent | None, position: int) -> str | None:
    if anchor["events"] == 0:
        return None
    if seen is None:
        return f"event {anchor['last_id']}, the anchor's last, is gone: events were cut"
    if seen.hash != anchor["last_hash"]:
        return f"event {seen.id} has hash {seen.hash}, the anchor says {anchor['last_hash']}: the chain was rewritten"
    if position != anchor["events"]:
        return (
            f"{position} events up to event {seen.id}, the anchor counted {anchor['events']}: "
            "events before it were removed or inserted"
        )
    return None


def verify_chain() -> tuple[int, int | None]:
    """(events intact before the first break, id of the first broken event or None)."""
    result = check_chain(max_breaks=1)
    return result.intact_before_first_break, (result.breaks[0][0] if result.breaks else None)
