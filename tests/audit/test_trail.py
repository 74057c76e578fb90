"""The audit trail: append-only in the database, chained by hashes, and checked by `minhchung audit verify`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from evidence_app import audit
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.helpers import drop_audit_guard


def test_audit_chain_detects_an_altered_or_removed_event(ward):
    for n in range(3):
        audit.record("test.event", unit_id=ward.id, data={"n": n})
    db.session.commit()
    checked, broken = audit.verify_chain()
    assert broken is None and checked >= 4  # the import's event and ours
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()

    for change in (
        sa.update(AuditEvent).where(AuditEvent.id == events[-2].id).values(data={"n": 99}),
        sa.delete(AuditEvent).where(AuditEvent.id == events[-2].id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(change)
        db.session.rollback()

    drop_audit_guard()
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[-2].id).values(data={"n": 99}))
    db.session.commit()
    assert audit.verify_chain()[1] == events[-2].id

    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[-2].id).values(data={"n": 1}))
    db.session.commit()
    assert audit.verify_chain()[1] is None
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[-2].id))
    db.session.commit()
    assert audit.verify_chain()[1] == events[-1].id


def test_audit_verify_command(ward, runner):
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "audit trail intact" in ok.output
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().first()
    drop_audit_guard()
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values(action="catalog.tampered"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and f"BROKEN at event {event.id}" in broken.output


def test_appends_from_fifty_threads_keep_one_unbroken_chain(app, ward):
    """Every writer waits for the chain before reading its head: 50 simultaneous appends, no fork, no error."""
    from concurrent.futures import ThreadPoolExecutor

    before = db.session.scalar(select(sa.func.count()).select_from(AuditEvent))
    unit_id = ward.id
    db.session.remove()  # the threads' sessions must not wait on this one's open read

    def append(n: int) -> None:
        with app.app_context():
            audit.record("test.concurrent", unit_id=unit_id, data={"n": n})
            db.session.commit()
            db.session.remove()

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(append, range(50)))

    checked, broken = audit.verify_chain()
    assert broken is None and checked == before + 50
    prev_hashes = db.session.execute(select(AuditEvent.prev_hash)).scalars().all()
    assert len(prev_hashes) == len(set(prev_hashes)), "two events extend the same head: the chain forked"
