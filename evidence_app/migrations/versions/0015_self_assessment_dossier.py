"""The self-assessment dossier: a giải trình (explanation) beside each self-score, kept in its history; the
dossiers a leader signed, kept as documents

Existing self-scores have no explanation (NULL): their note stays what it was.

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-29 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import evidence_app.sqltypes


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('self_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.Text(), nullable=True))
    # self_score_history refuses UPDATEs (a trigger), not new columns: ALTER TABLE ADD COLUMN rewrites no row
    op.add_column('self_score_history', sa.Column('explanation', sa.Text(), nullable=True))
    op.create_table('signed_dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', evidence_app.sqltypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_signed_dossiers_document_id_documents')),
    sa.ForeignKeyConstraint(['index_id'], ['indices.id'], name=op.f('fk_signed_dossiers_index_id_indices')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_signed_dossiers_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_dossiers'))
    )
    with op.batch_alter_table('signed_dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_dossiers_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signed_dossiers_index_id'), ['index_id'], unique=False)


def downgrade():
    with op.batch_alter_table('signed_dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_dossiers_index_id'))
        batch_op.drop_index(batch_op.f('ix_signed_dossiers_document_id'))
    op.drop_table('signed_dossiers')
    op.drop_column('self_score_history', 'explanation')
    with op.batch_alter_table('self_scores', schema=None) as batch_op:
        batch_op.drop_column('explanation')
