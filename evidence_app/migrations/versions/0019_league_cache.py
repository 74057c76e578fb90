"""league_cache: each index's league row kept between requests; audit_events indexed by (unit_id, id)

The league table of a province read 120,000 item rows and rebuilt every unit's forecast on every view (issue 17).
Each index's row is now kept for its day, valid while the unit's audit trail ends at the same event and the code
is the same (reports/league_cache.py); the unit's latest event is one lookup in the new (unit_id, id) index,
which replaces the index on unit_id alone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'league_cache',
        sa.Column('index_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('mark', sa.String(length=48), nullable=False),
        sa.Column('version', sa.String(length=16), nullable=False),
        sa.Column('row', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['index_id'], ['indices.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('index_id', 'as_of'),
    )
    # plain CREATE/DROP INDEX: a batch operation could copy the table, and with it lose its append-only triggers
    op.create_index('ix_audit_events_unit_id_id', 'audit_events', ['unit_id', 'id'], unique=False)
    op.drop_index('ix_audit_events_unit_id', table_name='audit_events')


def downgrade():
    op.create_index('ix_audit_events_unit_id', 'audit_events', ['unit_id'], unique=False)
    op.drop_index('ix_audit_events_unit_id_id', table_name='audit_events')
    op.drop_table('league_cache')
