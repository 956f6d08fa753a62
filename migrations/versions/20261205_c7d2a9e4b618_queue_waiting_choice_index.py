"""The facilitator's queue: a partial index on the matcher's waiting choices (issue 15)

The queue sorts every request looking for help by whether the matcher's choice
(rank 1) waits for a decision. Without an index, PostgreSQL reads the whole
proposals table for it, superseded proposals included, which pile up with every
run; this partial index holds only the waiting choices. Found with EXPLAIN on
the 10,000-household city of ``flask seed-scale``.

Revision ID: c7d2a9e4b618
Revises: b7d3e5a9c1f2
Create Date: 2026-12-05 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d2a9e4b618'
down_revision = "b7d3e5a9c1f2"
branch_labels = None
depends_on = None

WAITING = "status = 'proposed' AND rank = 1"


def upgrade():
    op.create_index('ix_proposals_waiting_choice', 'proposals', ['need_id'],
                    postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_proposals_waiting_choice', table_name='proposals')
