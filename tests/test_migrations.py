"""`minhchung db upgrade` builds the schema the models describe, on SQLite and PostgreSQL alike, and the
downgrade takes it away again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from evidence_app.evidence.reading.search import described_by_the_models
from evidence_app.extensions import db
from tests.conftest import build_app


def test_migrations_match_the_models(tmp_path, empty_database_url):
    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            # the full-text engines' own structures (an FTS5 table, a GIN index) are not described by the models
            opts = {"compare_type": True, "render_as_batch": True, "include_name": described_by_the_models}
            context = MigrationContext.configure(conn, opts=opts)
            assert compare_metadata(context, db.metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
        assert {
            "units",
            "departments",
            "users",
            "user_departments",
            "indices",
            "areas",
            "criteria",
            "checklist_items",
            "documents",
            "evidence",
            "reviews",
            "measurements",
            "self_scores",
            "audit_events",
            "api_tokens",
            "self_score_history",
            "document_history",
            "assignment_history",
            "alembic_version",
        } <= tables
        with db.engine.begin() as conn:  # the audit trail is append-only in the database itself
            conn.execute(
                sa.text(
                    "INSERT INTO audit_events (occurred_at, action, data, prev_hash, hash) "
                    "VALUES (CURRENT_TIMESTAMP, 'test', '{}', :p, :h)"
                ),
                {"p": "0" * 64, "h": "1" * 64},
            )
        for statement in ("UPDATE audit_events SET action = 'changed'", "DELETE FROM audit_events"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
                conn.execute(sa.text(statement))
        with db.engine.connect() as conn:  # the undo logs are never rewritten either (tested on rows in tests/reports)
            triggers = set(
                conn.execute(
                    sa.text(
                        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                        if conn.dialect.name == "postgresql"
                        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    )
                ).scalars()
            )
        assert {
            f"{t}_no_update"
            for t in ("self_score_history", "document_history", "assignment_history", "evidence_versions")
        } <= triggers
        if db.engine.dialect.name == "postgresql":  # TRUNCATE fires no row trigger: a statement trigger refuses it
            append_only = (
                "audit_events",
                "self_score_history",
                "document_history",
                "assignment_history",
                "evidence_versions",
            )
            assert {f"{t}_no_truncate" for t in append_only} <= triggers
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) == {"alembic_version"}
        db.engine.dispose()
