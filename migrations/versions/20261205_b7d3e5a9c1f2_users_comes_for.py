"""What each account comes for: need, give or both (issue 11, "Who you are")

Sign-up now asks whether a person needs help, can help, or both; the answer
decides where they land and which menu they see. Accounts made before the
question was asked could always ask and offer, so they become "both": nobody
loses a page they had.

Revision ID: b7d3e5a9c1f2
Revises: b71e3c9a5d02
Create Date: 2026-12-05 17:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'b7d3e5a9c1f2'
down_revision = "b71e3c9a5d02"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comes_for', sa.String(length=8), nullable=False,
                                      server_default='both'))
        batch_op.create_check_constraint(
            op.f('ck_users_comes_for'), "comes_for IN ('need', 'give', 'both')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_comes_for'), type_='check')
        batch_op.drop_column('comes_for')
