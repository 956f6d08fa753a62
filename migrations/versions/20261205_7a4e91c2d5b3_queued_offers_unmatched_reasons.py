"""Offers queued for re-proposal by the scheduler, and each need's stored unmatched reason

Posting an offer no longer re-proposes the needs it fits inside the web
request: it queues the offer, and the minute job does the work. The page of
requests without a proposal reads the reason the last run or incremental
proposal stored, instead of solving the whole problem again.

Revision ID: 7a4e91c2d5b3
Revises: 9c4e1b7a2d35
Create Date: 2026-12-05 14:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a4e91c2d5b3'
down_revision = '9c4e1b7a2d35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'queued_offers',
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'],
                                name=op.f('fk_queued_offers_offer_id_offers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('offer_id', name=op.f('pk_queued_offers')),
    )
    op.create_table(
        'unmatched_reasons',
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'],
                                name=op.f('fk_unmatched_reasons_need_id_needs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('need_id', name=op.f('pk_unmatched_reasons')),
    )


def downgrade():
    op.drop_table('unmatched_reasons')
    op.drop_table('queued_offers')
