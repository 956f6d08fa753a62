"""Belonging at each follow-up (issue 14): each side's answer, 1 to 5

"I know people in my neighbourhood I can ask for help", asked of the family
and of the helper at the first and the later follow-ups; optional.

Revision ID: f3b8d1e6a2c7
Revises: e5f2a7c91b04
Create Date: 2026-12-05 20:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f3b8d1e6a2c7'
down_revision = "e5f2a7c91b04"
branch_labels = None
depends_on = None

_SIDES = ("family_belonging", "helper_belonging")


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        for name in _SIDES:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch_op.create_check_constraint(
                op.f(f'ck_follow_ups_{name}'), f"{name} IS NULL OR {name} BETWEEN 1 AND 5")


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        for name in reversed(_SIDES):
            batch_op.drop_constraint(op.f(f'ck_follow_ups_{name}'), type_='check')
            batch_op.drop_column(name)
