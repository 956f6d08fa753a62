"""Indexes for the pages' queries at city scale (issue 15)

The impact pages select pairings by the period they were confirmed or closed
in; every page's header counts the reader's unread notifications. Found with
``benchmarks/bench_web.py --explain`` on 2,000 and 10,000 generated households.

Revision ID: 9c4e1b7a2d35
Revises: 9b2e4d7a1c30
Create Date: 2026-12-05 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9c4e1b7a2d35'
down_revision = '9b2e4d7a1c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_matches_confirmed_at', 'matches', ['confirmed_at'])
    op.create_index('ix_matches_closed_at', 'matches', ['closed_at'])
    op.create_index('ix_notifications_unread', 'notifications', ['user_id'],
                    postgresql_where=sa.text('read_at IS NULL'),
                    sqlite_where=sa.text('read_at IS NULL'))


def downgrade():
    op.drop_index('ix_notifications_unread', table_name='notifications')
    op.drop_index('ix_matches_closed_at', table_name='matches')
    op.drop_index('ix_matches_confirmed_at', table_name='matches')
