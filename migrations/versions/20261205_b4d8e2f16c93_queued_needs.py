"""Needs queued for re-proposal by the scheduler (issue 15, item 1)

Confirming a pairing takes the offer away from the other needs it was the
choice of; re-proposing each of them inside the web request grew with the
offer's waiting proposals. The confirmation now withdraws those proposals and
queues the needs here; the minute job proposes again.

Revision ID: b4d8e2f16c93
Revises: 5e2b8c1f4a70
Create Date: 2026-12-05 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4d8e2f16c93'
down_revision = '5e2b8c1f4a70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'queued_needs',
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'],
                                name=op.f('fk_queued_needs_need_id_needs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('need_id', name=op.f('pk_queued_needs')),
    )


def downgrade():
    op.drop_table('queued_needs')
