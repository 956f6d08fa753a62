"""Impact overviews: the impact page's default figures computed by the scheduler (issue 15)

The page's overview reads a year of pairings (a few hundred milliseconds at 10,000
households); the scheduler stores it every few minutes and the page reads it.

Revision ID: c3f9a1d7e2b4
Revises: b7e4f2a9c6d1
Create Date: 2026-12-06 02:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3f9a1d7e2b4'
down_revision = "b7e4f2a9c6d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('impact_overviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=12), nullable=False),
    sa.Column('period_first', sa.Date(), nullable=False),
    sa.Column('period_last', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.CheckConstraint("grain IN ('month', 'quarter', 'year', 'cumulative')",
                       name=op.f('ck_impact_overviews_grain')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_overviews')),
    sa.UniqueConstraint('grain', 'period_first', 'period_last',
                        name=op.f('uq_impact_overviews_grain'))
    )


def downgrade():
    op.drop_table('impact_overviews')
