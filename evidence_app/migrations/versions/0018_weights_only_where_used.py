"""checklist_items.weight: 1 wherever the criterion's rule does not divide its points among its documents

An item's weight is its share of the criterion under the `shares` rule and nothing under any other (decision
0008): the catalog loader refuses a weight other than 1 there. Catalogs imported before carried weights (the
shipped ones had `weight: 2` on 33 items) that changed nothing; this sets them to 1, so that the rubric exported
for next year (cycle/carry.py writes weights other than 1) imports again. No schema change.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 23:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE checklist_items SET weight = 1 WHERE weight <> 1 AND criterion_id IN "
        "(SELECT id FROM criteria WHERE rule_type <> 'shares')"
    )


def downgrade():
    pass  # the weights set to 1 scored nothing: there is nothing to restore
