"""report_cache: each unit's report kept between requests, as league rows are

A unit's report (its indices' forecasts, criteria and departments) read ~700 item rows and ~3,000 documents and
scored them on every view (~120 ms, issue 17's goal 100 ms). It is now kept for its day, valid while the unit's
audit trail ends at the same event and the code is the same (reports/league_cache.py), like the league rows.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_cache',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('mark', sa.String(length=48), nullable=False),
        sa.Column('version', sa.String(length=16), nullable=False),
        sa.Column('indices', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', 'as_of'),
    )


def downgrade():
    op.drop_table('report_cache')
