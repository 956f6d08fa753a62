"""Where the help happens (at the family's home or not), and needs queued for re-proposal

The helper sees the family's home address only when the help happens at home
(``needs.at_home``). A helper's "no", or no answer within 48 hours, frees the
request: it is queued here and the scheduler's minute job proposes it again,
so the helper's answer does no matching inside the web request.

Revision ID: b7d3e5a91c24
Revises: b7d3e5a91c42
Create Date: 2026-12-05 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e5a91c24'
down_revision = "b7d3e5a91c42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('needs') as batch_op:
        batch_op.add_column(sa.Column('at_home', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
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
    with op.batch_alter_table('needs') as batch_op:
        batch_op.drop_column('at_home')
