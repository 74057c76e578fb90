"""the document that sets an index's self-score deviation penalty (indices.deviation_source)

The forecast takes the penalty off the expected score only when a source names it (Kế hoạch 100/KH-UBND
names the CCHC penalty; no source names one for QN-DTI). Indices imported before keep their threshold and
points and get no source: importing their catalog again fills it in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 14:55:51

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deviation_source', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('indices', schema=None) as batch_op:
        batch_op.drop_column('deviation_source')
