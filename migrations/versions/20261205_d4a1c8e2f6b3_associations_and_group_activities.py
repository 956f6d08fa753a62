"""Family associations and their group activities, memberships, meetings, attendance (issue 12)

Self-help groups are confidential: what a family wrote when asking to join and
the meetings' notes are encrypted (Text columns holding Fernet tokens).

Revision ID: d4a1c8e2f6b3
Revises: c7d2a9e4b618
Create Date: 2026-12-05 17:41:57.221969

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a1c8e2f6b3'
down_revision = 'c7d2a9e4b618'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('associations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('legal_form', sa.String(length=60), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('public_email', sa.String(length=254), nullable=True),
    sa.Column('public_phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'suspended')", name=op.f('ck_associations_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_associations_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_associations')),
    sa.UniqueConstraint('name', name=op.f('uq_associations_name')),
    sa.UniqueConstraint('public_id', name=op.f('uq_associations_public_id'))
    )
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('place_kind', sa.String(length=20), nullable=False),
    sa.Column('place_name', sa.String(length=160), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('min_child_age', sa.Integer(), nullable=True),
    sa.Column('max_child_age', sa.Integer(), nullable=True),
    sa.Column('requires_vetted_leader', sa.Boolean(), nullable=False),
    sa.Column('admission', sa.String(length=12), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("admission IN ('open', 'by_request')", name=op.f('ck_activities_admission')),
    sa.CheckConstraint("kind <> 'self_help' OR (confidential AND admission = 'by_request')", name=op.f('ck_activities_self_help_confidential')),
    sa.CheckConstraint("kind IN ('self_help', 'play_group', 'homework_club', 'parents_circle', 'language_cafe', 'outing', 'workshop')", name=op.f('ck_activities_kind')),
    sa.CheckConstraint("place_kind IN ('hub_room', 'public_place')", name=op.f('ck_activities_place_kind')),
    sa.CheckConstraint("status IN ('open', 'cancelled', 'ended')", name=op.f('ck_activities_status')),
    sa.CheckConstraint('capacity BETWEEN 1 AND 200', name=op.f('ck_activities_capacity')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_activities_dates')),
    sa.CheckConstraint('max_child_age IS NULL OR max_child_age BETWEEN 0 AND 17', name=op.f('ck_activities_max_child_age')),
    sa.CheckConstraint('min_child_age IS NULL OR min_child_age BETWEEN 0 AND 17', name=op.f('ck_activities_min_child_age')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_activities_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['leader_id'], ['users.id'], name=op.f('fk_activities_leader_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_activities_neighbourhood_id_neighbourhoods'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('public_id', name=op.f('uq_activities_public_id'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_association_id'), ['association_id'], unique=False)
        batch_op.create_index('ix_activities_status_neighbourhood', ['status', 'neighbourhood_id'], unique=False)

    op.create_table('association_coordinators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_coordinators_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_association_coordinators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_coordinators')),
    sa.UniqueConstraint('association_id', 'user_id', name=op.f('uq_association_coordinators_association_id'))
    )
    with op.batch_alter_table('association_coordinators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_coordinators_user_id'), ['user_id'], unique=False)

    op.create_table('association_followers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_followers_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_association_followers_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_followers')),
    sa.UniqueConstraint('association_id', 'household_id', name=op.f('uq_association_followers_association_id'))
    )
    with op.batch_alter_table('association_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_followers_household_id'), ['household_id'], unique=False)

    op.create_table('association_neighbourhoods',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_neighbourhoods_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_association_neighbourhoods_neighbourhood_id_neighbourhoods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('association_id', 'neighbourhood_id', name=op.f('pk_association_neighbourhoods'))
    )
    op.create_table('activity_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_activity_meetings_times')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_meetings_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_activity_meetings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_meetings')),
    sa.UniqueConstraint('activity_id', 'on_date', 'start_minute', name=op.f('uq_activity_meetings_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_activity_meetings_public_id'))
    )
    op.create_table('activity_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'waiting', 'joined', 'left', 'declined')", name=op.f('ck_activity_memberships_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_memberships_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_activity_memberships_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_memberships')),
    sa.UniqueConstraint('activity_id', 'household_id', name=op.f('uq_activity_memberships_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_activity_memberships_public_id'))
    )
    with op.batch_alter_table('activity_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_memberships_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_activity_memberships_queue', ['activity_id', 'status', 'requested_at'], unique=False)

    op.create_table('activity_slots',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('(weekday IS NULL) <> (on_date IS NULL)', name=op.f('ck_activity_slots_activity_slot_when')),
    sa.CheckConstraint('start_minute < end_minute', name=op.f('ck_activity_slots_activity_slot_order')),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440', name=op.f('ck_activity_slots_activity_slot_range')),
    sa.CheckConstraint('weekday IS NULL OR weekday BETWEEN 0 AND 6', name=op.f('ck_activity_slots_activity_slot_weekday')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_slots_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_slots'))
    )
    with op.batch_alter_table('activity_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_slots_activity_id'), ['activity_id'], unique=False)

    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_attendances_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['activity_meetings.id'], name=op.f('fk_attendances_meeting_id_activity_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('meeting_id', 'household_id', name=op.f('uq_attendances_meeting_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_household_id'), ['household_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_household_id'))

    op.drop_table('attendances')
    with op.batch_alter_table('activity_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_slots_activity_id'))

    op.drop_table('activity_slots')
    with op.batch_alter_table('activity_memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_memberships_queue')
        batch_op.drop_index(batch_op.f('ix_activity_memberships_household_id'))

    op.drop_table('activity_memberships')
    op.drop_table('activity_meetings')
    op.drop_table('association_neighbourhoods')
    with op.batch_alter_table('association_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_followers_household_id'))

    op.drop_table('association_followers')
    with op.batch_alter_table('association_coordinators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_coordinators_user_id'))

    op.drop_table('association_coordinators')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_status_neighbourhood')
        batch_op.drop_index(batch_op.f('ix_activities_association_id'))

    op.drop_table('activities')
    op.drop_table('associations')
