"""Issue 13, finding 2: the audit chain holds against the database's owner. The hashes are keyed (HMAC with a key
the database never holds), TRUNCATE is refused, and an anchor (the head written down earlier) catches a cut of
the newest events; `audit verify` lists every break, not only the first."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from evidence_app import audit
from evidence_app.audit.trail import _event_hash
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.helpers import drop_audit_guard


def _events() -> list[AuditEvent]:
    return db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()


def _append(ward, n: int) -> None:
    for i in range(n):
        audit.record("test.event", unit_id=ward.id, data={"n": i})
    db.session.commit()


def _plain_sha256(prev_hash: str, event: AuditEvent) -> str:
    """What anyone can compute without the key: the hash of the chain before migration 0012."""
    return _event_hash(prev_hash, event, "sha256")


def test_new_events_are_keyed_and_another_key_does_not_verify(app, ward):
    _append(ward, 2)
    assert {e.hash_scheme for e in _events()} == {"hmac-sha256"}
    assert audit.check_chain().intact
    app.config["AUDIT_KEY"] = "another-key-that-someone-guessed-000000"
    result = audit.check_chain()
    assert result.break_count == result.events and "MINHCHUNG_AUDIT_KEY" in result.breaks[0][1]


@pytest.mark.parametrize("scheme", ["sha256", "hmac-sha256"])
def test_a_rewrite_re_chained_with_plain_sha256_is_detected(ward, runner, scheme):
    _append(ward, 4)
    events = _events()
    target = events[-3]
    drop_audit_guard()
    prev_hash = target.prev_hash
    for event in events[-3:]:  # rewrite one event, then recompute its hash and every later one without the key
        if event is target:
            event.data = {"n": 99}
        event.hash_scheme = scheme
        event.prev_hash = prev_hash
        event.hash = prev_hash = _plain_sha256(prev_hash, event)
    db.session.commit()

    result = audit.check_chain()
    assert [event_id for event_id, _reason in result.breaks] == [e.id for e in events[-3:]]
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 1 and f"BROKEN at event {target.id}" in verify.output


def test_verify_lists_every_break_with_its_event(ward, runner):
    _append(ward, 6)
    events = _events()
    drop_audit_guard()
    altered, removed = events[-5], events[-2]
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == altered.id).values(action="test.altered"))
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == removed.id))
    db.session.commit()

    result = audit.check_chain()
    assert [event_id for event_id, _reason in result.breaks] == [altered.id, events[-1].id]
    assert "does not match its content" in result.breaks[0][1]
    assert f"does not follow event {events[-3].id}" in result.breaks[1][1]
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 1 and "2 break(s)" in verify.output
    assert f"event {altered.id}: " in verify.output and f"event {events[-1].id}: " in verify.output
    as_json = json.loads(runner.invoke(args=["audit", "verify", "--json"]).stdout)
    assert [b["id"] for b in as_json["breaks"]] == [altered.id, events[-1].id] and not as_json["intact"]


def test_cutting_the_newest_events_is_detected_against_an_anchor(ward, runner, tmp_path):
    _append(ward, 3)
    anchor = tmp_path / "anchor.json"
    anchor.write_text(runner.invoke(args=["audit", "anchor"]).stdout)
    head = json.loads(anchor.read_text())
    assert head == audit.chain_head() and head["last_id"] == _events()[-1].id
    _append(ward, 2)
    held = runner.invoke(args=["audit", "verify", "--anchor", str(anchor)])
    assert held.exit_code == 0 and "anchor held" in held.output, held.output

    drop_audit_guard()  # the owner cuts the newest events: what is left is a perfect chain
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id >= head["last_id"] - 1))
    db.session.commit()
    assert audit.check_chain().break_count == 0
    cut = runner.invoke(args=["audit", "verify", "--anchor", str(anchor)])
    assert cut.exit_code == 1 and f"event {head['last_id']}, the anchor's last, is gone" in cut.output


def test_the_anchor_may_be_a_verify_output_a_report_or_a_manifest(ward, runner, tmp_path):
    _append(ward, 2)
    verify_json = tmp_path / "verify.json"
    verify_json.write_text(runner.invoke(args=["audit", "verify", "--json"]).stdout)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"unit": "gieng-day", "files": [], "audit_head": audit.chain_head()}))
    for path in (verify_json, manifest):
        assert runner.invoke(args=["audit", "verify", "--anchor", str(path)]).exit_code == 0
    rewritten = dict(audit.chain_head(), last_hash="f" * 64)
    manifest.write_text(json.dumps({"audit_head": rewritten}))
    result = runner.invoke(args=["audit", "verify", "--anchor", str(manifest)])
    assert result.exit_code == 1 and "the chain was rewritten" in result.output
    manifest.write_text(json.dumps({"files": []}))
    result = runner.invoke(args=["audit", "verify", "--anchor", str(manifest)])
    assert result.exit_code == 2 and "no audit chain head" in result.output


def test_events_from_before_the_key_still_verify_but_only_at_the_start(ward):
    """The rows migration 0012 marks "sha256" keep their plain hashes; once a keyed event is in the chain, a
    plain hash after it can only be a rewrite."""
    first = _events()[0]
    drop_audit_guard()
    legacy = AuditEvent(
        unit_id=ward.id,
        occurred_at=first.occurred_at,
        action="test.legacy",
        data={},
        prev_hash=audit.GENESIS_HASH,
        hash_scheme="sha256",
    )
    legacy.hash = _plain_sha256(audit.GENESIS_HASH, legacy)
    db.session.execute(sa.delete(AuditEvent))  # the chain as a database from before 0012 holds it
    db.session.add(legacy)
    db.session.commit()
    _append(ward, 2)
    result = audit.check_chain()
    assert result.intact and result.unkeyed == 1 and result.events == 3
    after = AuditEvent(
        unit_id=ward.id,
        occurred_at=first.occurred_at,
        action="test.appended_unkeyed",
        data={},
        prev_hash=audit.chain_head()["last_hash"],
        hash_scheme="sha256",
    )
    after.hash = _plain_sha256(after.prev_hash, after)
    db.session.add(after)
    db.session.commit()
    assert audit.check_chain().breaks == [
        (after.id, "unkeyed hash after keyed events: rewritten without the audit key")
    ]


def test_migration_0012_marks_the_existing_events_unkeyed_and_they_still_verify(tmp_path, empty_database_url):
    """A database from before the key: its events, hashed with plain SHA-256, verify after the upgrade, and the
    chain goes on with keyed events."""
    from datetime import UTC, datetime

    from flask_migrate import upgrade

    from tests.conftest import build_app

    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade(revision="0009")
        prev_hash = audit.GENESIS_HASH
        for n in range(3):
            event = AuditEvent(occurred_at=datetime(2024, 5, n + 1, tzinfo=UTC), action="old.event", data={"n": n})
            event.hash = _plain_sha256(prev_hash, event)
            db.session.execute(
                sa.text(
                    "INSERT INTO audit_events (occurred_at, action, data, prev_hash, hash) "
                    "VALUES (:at, 'old.event', :data, :prev, :hash)"
                ),
                {"at": event.occurred_at, "data": json.dumps({"n": n}), "prev": prev_hash, "hash": event.hash},
            )
            prev_hash = event.hash
        db.session.commit()
        upgrade()
        assert {e.hash_scheme for e in _events()} == {"sha256"}
        audit.record("new.event")
        db.session.commit()
        result = audit.check_chain()
        assert result.intact and result.events == 4 and result.unkeyed == 3
        assert _events()[-1].hash_scheme == "hmac-sha256"
        db.session.remove()
        db.engine.dispose()
