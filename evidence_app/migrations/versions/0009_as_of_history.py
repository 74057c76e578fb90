"""as-of history: undo logs of self-scores, document metadata and item assignments

The report "as of" a past day must read every input as it stood at the end of that day. Self-scores, a
document's metadata (above all `sent_date`, which decides whether a periodic report was on time) and an item's
owner department and assignee are changed in place, so their earlier values were lost. Three append-only
tables now keep them: `self_score_history`, `document_history`, `assignment_history`.

Design: undo logs. Each change appends one row with the values as they were BEFORE it, `changed_at` (the app's
clock) and `changed_by_id`, in the transaction of the change. The value as of a cutoff is the one kept by the
earliest change at or after the cutoff, else the current value. Chosen over a log of new values (each row the
value from `changed_at` on) because:
- nothing has to be backfilled: a row that existed before this migration simply keeps its current value until
  its first change, whereas a log of new values needs a first row per self-score, document and item, with an
  invented start date, written here and by every creation path (upload, import, proposals) forever after;
- the live tables stay the one source of the current values: pages, API and exports read them unchanged, and
  only the report joins the few logged changes made after its cutoff (none for a report as of today).
A self-score created after the cutoff has no value then: its creation is logged with score NULL, and rows from
before this migration are recognised by `self_scores.entered_at`, the time of first entry.

The database refuses UPDATE on the three tables (triggers, as for audit_events). DELETE is left to the foreign
keys: an item removed by a rubric import takes its assignment history with it (ON DELETE CASCADE).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 14:51:39

"""
from alembic import op
import sqlalchemy as sa

import evidence_app.sqltypes


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ("self_score_history", "document_history", "assignment_history")


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


def _log_columns(table):
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('changed_at', evidence_app.sqltypes.UTCDateTime(timezone=True), nullable=False),
            sa.Column('changed_by_id', sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f(f'fk_{table}_changed_by_id_users')),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def upgrade():
    op.create_table('self_score_history',
    *_log_columns('self_score_history'),
    sa.Column('self_score_id', sa.Integer(), nullable=False),
    sa.Column('score', evidence_app.sqltypes.Points(precision=10, scale=3), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['self_score_id'], ['self_scores.id'], name=op.f('fk_self_score_history_self_score_id_self_scores')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_self_score_history_entered_by_id_users')),
    )
    op.create_index('ix_self_score_history_self_score_id_changed_at', 'self_score_history',
                    ['self_score_id', 'changed_at'], unique=False)

    op.create_table('document_history',
    *_log_columns('document_history'),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('issuer', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('page_ref', sa.String(length=200), nullable=True),
    sa.Column('sent_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_history_document_id_documents')),
    )
    op.create_index('ix_document_history_document_id_changed_at', 'document_history',
                    ['document_id', 'changed_at'], unique=False)

    op.create_table('assignment_history',
    *_log_columns('assignment_history'),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('owner_department_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_items.id'], name=op.f('fk_assignment_history_item_id_checklist_items'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_department_id'], ['departments.id'],
                            name=op.f('fk_assignment_history_owner_department_id_departments')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_assignment_history_assignee_id_users')),
    )
    op.create_index('ix_assignment_history_item_id_changed_at', 'assignment_history',
                    ['item_id', 'changed_at'], unique=False)

    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in no_update_ddl(table, dialect):
            op.execute(statement)


def downgrade():
    for table, key in (("assignment_history", "item_id"), ("document_history", "document_id"),
                       ("self_score_history", "self_score_id")):
        op.drop_index(f'ix_{table}_{key}_changed_at', table_name=table)
        op.drop_table(table)  # its trigger goes with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS history_rows_never_change()")
