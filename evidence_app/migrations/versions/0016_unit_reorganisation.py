"""Units that merge, split and are renamed: the lineage of units with its dates, the combined baselines, and each
unit's province, population and days of existence

Existing units get nothing (no province, no population, no dates): they have always been and still are.

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-30 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import evidence_app.sqltypes


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('established_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dissolved_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_units_province_id'), ['province_id'], unique=False)
        batch_op.create_foreign_key('fk_units_province_id_units', 'units', ['province_id'], ['id'])

    op.create_table(
        'unit_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=True),
        sa.Column('old_name', sa.String(length=200), nullable=True),
        sa.Column('new_name', sa.String(length=200), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', evidence_app.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('unit_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_changes_unit_id'), ['unit_id'], unique=False)

    op.create_table(
        'unit_lineage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.Column('successor_id', sa.Integer(), nullable=False),
        sa.Column('weight', evidence_app.sqltypes.Points(precision=10, scale=3), nullable=False),
        sa.ForeignKeyConstraint(['change_id'], ['unit_changes.id']),
        sa.ForeignKeyConstraint(['predecessor_id'], ['units.id']),
        sa.ForeignKeyConstraint(['successor_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('change_id', 'predecessor_id'),
    )
    with op.batch_alter_table('unit_lineage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_lineage_change_id'), ['change_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_lineage_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_lineage_successor_id'), ['successor_id'], unique=False)

    op.create_table(
        'unit_baselines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('index_code', sa.String(length=32), nullable=False),
        sa.Column('index_year', sa.Integer(), nullable=False),
        sa.Column('score', evidence_app.sqltypes.Points(precision=10, scale=3), nullable=True),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['change_id'], ['unit_changes.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'index_code', 'index_year'),
    )
    with op.batch_alter_table('unit_baselines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_baselines_change_id'), ['change_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_baselines_unit_id'), ['unit_id'], unique=False)


def downgrade():
    op.drop_table('unit_baselines')
    op.drop_table('unit_lineage')
    op.drop_table('unit_changes')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint('fk_units_province_id_units', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_units_province_id'))
        batch_op.drop_column('dissolved_on')
        batch_op.drop_column('established_on')
        batch_op.drop_column('population')
        batch_op.drop_column('province_id')
