"""Reminders of group meetings and the families' answers (issue 12)

A week before, the day before and the morning of each meeting, like the
pairings' sessions (``session_notices``); "I can't come" is kept for the
leader's attendance sheet.

Revision ID: e5b2d9f4a7c1
Revises: f3b8d1e6a2c7
Create Date: 2026-12-05 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2d9f4a7c1'
down_revision = 'f3b8d1e6a2c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('week_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('day_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('morning_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.String(length=10), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("answer IS NULL OR answer IN ('coming', 'cannot')", name=op.f('ck_meeting_notices_answer')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_meeting_notices_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_meeting_notices_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_notices')),
    sa.UniqueConstraint('activity_id', 'household_id', 'on_date', 'start_minute', name='one_per_meeting'),
    sa.UniqueConstraint('public_id', name=op.f('uq_meeting_notices_public_id'))
    )
    with op.batch_alter_table('meeting_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_notices_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_notices_on_date'), ['on_date'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_notices_on_date'))
        batch_op.drop_index(batch_op.f('ix_meeting_notices_household_id'))

    op.drop_table('meeting_notices')
