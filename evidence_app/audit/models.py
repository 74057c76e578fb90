"""The audit trail: append-only events, each chained to the one before by a keyed hash (HMAC-SHA256; events
written before migration 0012 by a plain SHA-256)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..sqltypes import UTCDateTime, no_truncate_ddl, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # (unit_id, id): a unit's events in order, so that its latest is one index lookup (reports/league_cache.py)
    __table_args__ = (Index("ix_audit_events_unit_id_id", "unit_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How `hash` is made (`trail.HASH_SCHEMES`): "hmac-sha256" for every new event; "sha256" (the default, also
    # given to the events that existed before migration 0012) only in the chain's unkeyed beginning.
    hash_scheme: Mapped[str] = mapped_column(String(16), server_default="sha256", nullable=False)


# The database itself refuses to change or remove an event (the keyed hash chain and the anchors then catch
# what someone with the power to drop these triggers does anyway). The same statements are applied by
# migrations 0004 and (TRUNCATE) 0012.
APPEND_ONLY_DDL = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
           FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
        *no_truncate_ddl("audit_events"),
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
