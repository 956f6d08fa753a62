"""Unmatched spells: why a request went without a proposal, over time (issue 14)

The figures count unmatched requests by reason over past periods; the latest
reason alone (``unmatched_reasons``) cannot tell them. Each change of reason opens
a spell and closes the one before. The reasons known now start their spells at
the time they were checked.

Revision ID: e5b2c7d9a4f1
Revises: e5b2c9d1a7f4
Create Date: 2026-12-05 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b2c7d9a4f1'
down_revision = "e5b2c9d1a7f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unmatched_spells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'],
                            name=op.f('fk_unmatched_spells_need_id_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmatched_spells'))
    )
    with op.batch_alter_table('unmatched_spells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmatched_spells_need_id'), ['need_id'],
                              unique=False)
    op.execute("INSERT INTO unmatched_spells (need_id, reason, since) "
               "SELECT need_id, reason, checked_at FROM unmatched_reasons")


def downgrade():
    with op.batch_alter_table('unmatched_spells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmatched_spells_need_id'))
    op.drop_table('unmatched_spells')
