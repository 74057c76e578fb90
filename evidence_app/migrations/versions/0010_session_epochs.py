"""session epochs: users.session_epoch, so that sign-out, a password change or reset, disabling and a role change
end a user's sessions

A session holds the epoch of its user at sign-in and is refused once the user's epoch has moved on (see
evidence_app/auth/sessions.py). Existing users start at 0; sessions signed in before this migration hold no epoch
and so end with it: everyone signs in once more.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
