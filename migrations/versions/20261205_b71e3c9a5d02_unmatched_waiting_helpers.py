"""How many helpers wait for the Hub's check, with a need's ``not_vetted`` reason

The page of requests without a proposal says "2 helpers could help but are
waiting for the Hub's check": the matching run counts them when it stores
the reason, so the page reads a number instead of judging offers again.

Revision ID: b71e3c9a5d02
Revises: b7d3e5a91c24
Create Date: 2026-12-05 17:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b71e3c9a5d02'
down_revision = "b7d3e5a91c24"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unmatched_reasons') as batch_op:
        batch_op.add_column(sa.Column('waiting_helpers', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('unmatched_reasons') as batch_op:
        batch_op.drop_column('waiting_helpers')
