"""The audit trail: append-only events, each chained to the one before by a SHA-256 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sqltypes import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# The database itself refuses to change or remove an event (the hash chain then catches what someone with the
# power to drop these triggers does anyway). The same statements are applied by migration 0004.
APPEND_ONLY_DDL = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
           FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
        """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    ],
}


@event.listens_for(AuditEvent.__table__, "after_create")
def _make_append_only(target, connection, **kw):
    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, []):
        connection.execute(text(statement))
