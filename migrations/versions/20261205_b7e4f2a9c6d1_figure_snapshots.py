"""Figure snapshots: the programme's figures computed by the scheduler (issue 15)

The report grows with the data (seconds at a few thousand households), so the
scheduler computes it nightly, or when a facilitator asks, and the downloads read
the stored rows, one row per granularity and period so that a download reads only
the periods it asks for. ``queued_figure_refreshes`` holds the facilitators' requests until
the scheduler's next minute.

Revision ID: b7e4f2a9c6d1
Revises: e8b2f4c6a1d9
Create Date: 2026-12-05 21:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = 'b7e4f2a9c6d1'
down_revision = "e8b2f4c6a1d9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('figure_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('granularity', sa.String(length=12), nullable=False),
    sa.Column('cumulative', sa.Boolean(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True),
              nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.CheckConstraint("granularity IN ('month', 'quarter', 'year', 'cumulative')",
                       name=op.f('ck_figure_snapshots_granularity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_snapshots')),
    sa.UniqueConstraint('granularity', 'cumulative', 'period_start', 'period_end',
                        name=op.f('uq_figure_snapshots_granularity'))
    )
    with op.batch_alter_table('figure_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_figure_snapshots_granularity_period',
                              ['granularity', 'period_start'], unique=False)
    op.create_table('queued_figure_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True),
              nullable=False),
    sa.Column('queued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['queued_by_id'], ['users.id'],
                            name=op.f('fk_queued_figure_refreshes_queued_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queued_figure_refreshes'))
    )


def downgrade():
    op.drop_table('queued_figure_refreshes')
    with op.batch_alter_table('figure_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_figure_snapshots_granularity_period')
    op.drop_table('figure_snapshots')
