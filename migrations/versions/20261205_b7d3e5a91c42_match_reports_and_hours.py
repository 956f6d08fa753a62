"""Pairings' reports ("it's done", "something is wrong") and hours per month (issue 11)

Revision ID: b7d3e5a91c42
Revises: b7d3e0a91c62
Create Date: 2026-12-05 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e5a91c42'
down_revision = 'b7d3e0a91c62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'match_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=16), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('done', 'problem')", name=op.f('ck_match_reports_kind')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'],
                                name=op.f('fk_match_reports_match_id_matches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_match_reports_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_reports')),
        sa.UniqueConstraint('public_id', name=op.f('uq_match_reports_public_id')),
    )
    op.create_index(op.f('ix_match_reports_match_id'), 'match_reports', ['match_id'])
    op.create_table(
        'match_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('hours', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('hours >= 0 AND hours <= 200', name=op.f('ck_match_hours_hours')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'],
                                name=op.f('fk_match_hours_match_id_matches'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_hours')),
        sa.UniqueConstraint('match_id', 'month', name='one_per_month'),
    )
    op.create_index(op.f('ix_match_hours_match_id'), 'match_hours', ['match_id'])


def downgrade():
    op.drop_index(op.f('ix_match_hours_match_id'), table_name='match_hours')
    op.drop_table('match_hours')
    op.drop_index(op.f('ix_match_reports_match_id'), table_name='match_reports')
    op.drop_table('match_reports')
