"""The two database roles of docs/production.md (deploy/roles.sql, deploy/grants.sql), on PostgreSQL: the owner migrates; the app role, granted exactly
what that page says, does its work but can neither change, remove nor truncate audit events, nor disable the
triggers that refuse it. And TRUNCATE, which fires no row trigger, is refused even to the owner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from evidence_app import audit
from evidence_app.extensions import db
from tests.conftest import TEST_DATABASE_URL, build_app, reset_database
from tests.helpers import import_file, make_unit, make_user

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL is None, reason="PostgreSQL only (TEST_DATABASE_URL): SQLite has no roles and no TRUNCATE"
)
GRANTS = Path(__file__).parents[2] / "deploy" / "grants.sql"


def documented_grants() -> list[str]:
    """The statements docs/production.md tells the owner to run after every upgrade: deploy/grants.sql."""
    text = re.sub(r"--[^\n]*", "", GRANTS.read_text(encoding="utf-8"))
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.mark.parametrize("table", ["audit_events", "self_score_history", "document_history", "assignment_history"])
def test_truncate_is_refused_even_to_the_owner(app, ward, table):
    with pytest.raises(sa.exc.DatabaseError, match="append-only: TRUNCATE is refused"):
        db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    db.session.rollback()
    assert audit.check_chain().events > 0


@pytest.fixture
def roles(server_database_url):
    """(owner URL, app URL): two login roles of this test database, the owner owning its schema."""
    reset_database(server_database_url)
    url = sa.engine.make_url(server_database_url)
    owner, app_role = f"{url.database}_owner", f"{url.database}_app"
    superuser = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def drop_roles(conn):
        for role in (owner, app_role):
            if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
                conn.execute(sa.text(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER'))  # the schema stays
                conn.execute(sa.text(f'DROP OWNED BY "{role}"'))  # and its privileges go
                conn.execute(sa.text(f'DROP ROLE "{role}"'))

    with superuser.connect() as conn:
        drop_roles(conn)
        conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(sa.text(f'CREATE ROLE "{app_role}" LOGIN'))
        conn.execute(sa.text(f'ALTER SCHEMA public OWNER TO "{owner}"'))  # as CREATE DATABASE … OWNER gives it
    yield (
        url.set(username=owner).render_as_string(hide_password=False),
        url.set(username=app_role).render_as_string(hide_password=False),
        app_role,
    )
    with superuser.connect() as conn:
        drop_roles(conn)
    superuser.dispose()
    reset_database(server_database_url)


def test_the_app_role_appends_but_cannot_change_remove_or_unguard_events(tmp_path, roles, write_catalog, catalog_dict):
    owner_url, app_url, app_role = roles
    owner_app = build_app(tmp_path / "owner", owner_url)
    with owner_app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            for statement in documented_grants():
                conn.execute(sa.text(statement.replace("minhchung_app", f'"{app_role}"')))
        db.engine.dispose()

    the_app = build_app(tmp_path / "app", app_url)
    with the_app.app_context():
        unit = make_unit()
        import_file(write_catalog(catalog_dict), unit)
        make_user(unit, "admin", role="admin")
        audit.record("test.event", unit_id=unit.id)
        db.session.commit()
        result = audit.check_chain()
        assert result.intact and result.events == 2  # the import and ours

        for statement, refusal in (
            ("UPDATE audit_events SET action = 'changed'", "permission denied"),
            ("DELETE FROM audit_events", "permission denied"),
            ("TRUNCATE audit_events", "permission denied"),
            ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", "must be owner"),
            ("ALTER TABLE audit_events DISABLE TRIGGER ALL", "must be owner"),
            ("DROP TRIGGER audit_events_append_only ON audit_events", "must be owner"),
            ("UPDATE self_score_history SET note = 'changed'", "permission denied"),
        ):
            with pytest.raises(sa.exc.ProgrammingError, match=refusal):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert audit.check_chain().events == result.events
        db.session.remove()
        db.engine.dispose()
