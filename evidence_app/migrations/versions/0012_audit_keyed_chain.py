"""audit chain keyed and TRUNCATE refused: audit_events.hash_scheme; statement triggers on PostgreSQL

New audit events are hashed with HMAC-SHA256 under MINHCHUNG_AUDIT_KEY, a key the database never holds, so its
owner can no longer rewrite an event and recompute the chain. The events already written keep their plain
SHA-256: the new column `hash_scheme` says which one each event uses, and every existing row gets "sha256" (the
column's default, filled in by ADD COLUMN itself: no UPDATE, which the append-only trigger would refuse).
`audit verify` accepts "sha256" only before the first keyed event.

TRUNCATE fires no row trigger: on PostgreSQL a statement trigger now refuses it on audit_events and on the
undo logs of 0009 and evidence_versions of 0011 (SQLite has no TRUNCATE).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ("audit_events", "self_score_history", "document_history", "assignment_history", "evidence_versions")


def no_truncate_ddl(table):  # as evidence_app/sqltypes.py::no_truncate_ddl when this migration was written
    return ["""CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"""]


def upgrade():
    op.add_column('audit_events', sa.Column('hash_scheme', sa.String(length=16), server_default='sha256',
                                            nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for statement in no_truncate_ddl(table):
                op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS refuse_truncate()")
    # Events hashed with the key since stay checkable only with this column: a downgrade keeps them but
    # `audit verify` of an older version reports them as altered.
    op.drop_column('audit_events', 'hash_scheme')
