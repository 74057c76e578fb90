"""a periodic report's data cut-off and the source of its days (checklist_items.report_cutoff, report_source);
how a criterion's last-year score was obtained when it was converted or carried from another code
(criteria.last_year_note)

Existing rows keep NULL: their reports have no recorded cut-off or source until their rubric is imported again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_cutoff', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('report_source', sa.Text(), nullable=True))
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_year_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_column('last_year_note')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('report_source')
        batch_op.drop_column('report_cutoff')
