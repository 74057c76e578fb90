"""report indexes: one review per evidence version (reviews.evidence_id unique); documents.deleted_at

A decision is final: a reviewer decides only on a submitted version, and a resubmission is a new version. The
report relies on it (the decision as of a day is the version's review, if made by then), so the database
enforces it. The report skips the few deleted documents through an index on deleted_at instead of reading
every document.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 06:44:42

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    twice = op.get_bind().execute(sa.text(
        "SELECT evidence_id FROM reviews GROUP BY evidence_id HAVING count(*) > 1 ORDER BY evidence_id LIMIT 10"
    )).scalars().all()
    if twice:
        raise RuntimeError(f"evidence reviewed more than once (ids {', '.join(map(str, twice))}): keep one review "
                           "per evidence (its last decision) before upgrading")
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_evidence_id'))
        batch_op.create_index(batch_op.f('ix_reviews_evidence_id'), ['evidence_id'], unique=True)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_deleted_at'), ['deleted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_deleted_at'))
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_evidence_id'))
        batch_op.create_index(batch_op.f('ix_reviews_evidence_id'), ['evidence_id'], unique=False)
