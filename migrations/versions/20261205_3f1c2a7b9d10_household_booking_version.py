"""A household's booking version: confirmations of one helper's offers serialise on it

Two facilitators confirming two offers of the same helper at overlapping times
both passed the "busy elsewhere" check; the confirmation now locks the helper's
household row and raises this version (the compare-and-set SQLite relies on).

Revision ID: 3f1c2a7b9d10
Revises: de8782c46ab0
Create Date: 2026-12-05 14:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3f1c2a7b9d10'
down_revision = 'de8782c46ab0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('households') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))


def downgrade():
    with op.batch_alter_table('households') as batch_op:
        batch_op.drop_column('version')
