"""How each member hears of news: mail, SMS or both (issue 16)

Every account starts with mail, as before; a member whose household has a
mobile number can choose SMS or both on the account page.

Revision ID: a9d4e2c7f015
Revises: e5c2d9a4b7f1
Create Date: 2026-12-05 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a9d4e2c7f015'
down_revision = "e5c2d9a4b7f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_by', sa.String(length=8), nullable=False,
                                      server_default='mail'))
        batch_op.create_check_constraint(
            op.f('ck_users_notify_by'), "notify_by IN ('mail', 'sms', 'both')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_notify_by'), type_='check')
        batch_op.drop_column('notify_by')
