"""document_reading: what was read from each document; items that require a signature or a number of pages; the
names a unit's documents use

Issue 18: the text, proposed metadata and signatures of every document (evidence/reading), and the data the
pre-checks compare them with.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 02:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_readings',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('page_confidences', sa.JSON(), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('proposals', sa.JSON(), nullable=True),
        sa.Column('signatures', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id'),
    )
    op.add_column('checklist_items', sa.Column('requires_signature', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('checklist_items', sa.Column('min_pages', sa.Integer(), nullable=True))
    op.add_column('units', sa.Column('other_names', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('units') as batch:
        batch.drop_column('other_names')
    with op.batch_alter_table('checklist_items') as batch:
        batch.drop_column('min_pages')
        batch.drop_column('requires_signature')
    op.drop_table('document_readings')
