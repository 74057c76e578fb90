"""evidence_versions: what a reviewer saw of each version of the evidence

A decision names the version of the evidence the reviewer saw. Every change of what a reviewer sees (a
document's metadata, the items it is offered for, its deletion) now moves each of its links awaiting review to
a new version, in the transaction of the change; this append-only table keeps what each version showed, so
that a decision naming an older version can say what changed since (409 `changed_since_seen`). Links that
existed before this migration have no row for their current version: a stale decision on them is still refused,
with an empty list of changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import evidence_app.sqltypes


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def no_update_ddl(table, dialect):  # as evidence_app/history.py::no_update_ddl when this migration was written
    if dialect == "postgresql":
        return ["""CREATE OR REPLACE FUNCTION history_rows_never_change() RETURNS trigger AS $$
                   BEGIN RAISE EXCEPTION 'history rows are append-only'; END; $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION history_rows_never_change()"""]
    if dialect == "sqlite":
        return [f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                    BEGIN SELECT RAISE(ABORT, 'history rows are append-only'); END"""]
    return []


def upgrade():
    op.create_table('evidence_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('shown', sa.JSON(), nullable=False),
    sa.Column('recorded_at', evidence_app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_versions_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_versions')),
    sa.UniqueConstraint('evidence_id', 'version', name=op.f('uq_evidence_versions_evidence_id_version'))
    )
    for statement in no_update_ddl('evidence_versions', op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS evidence_versions_no_update" + (" ON evidence_versions" if op.get_bind().dialect.name == "postgresql" else ""))
    op.drop_table('evidence_versions')
