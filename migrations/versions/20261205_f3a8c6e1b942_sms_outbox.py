"""The SMS outbox (issue 16, "SMS reaches them")

Texts are stored in the transaction that causes them and delivered by the
scheduler's ``deliver_sms`` job with the mail outbox's claim, retry and backoff.
The recipient's number is encrypted like the household's phone.

Revision ID: f3a8c6e1b942
Revises: e5b2d9f1a7c4
Create Date: 2026-12-05 20:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f3a8c6e1b942'
down_revision = "e5b2d9f1a7c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sms_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('recipient', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('forget_body', sa.Boolean(), nullable=False),
        sa.Column('segments', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('provider_id', sa.String(length=64), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('retry_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_sms_outbox_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox')),
        sa.UniqueConstraint('public_id', name=op.f('uq_sms_outbox_public_id')),
    )
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_outbox_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbox_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_sms_outbox_next_attempt_at'), ['next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_outbox_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_sms_outbox_created_at'))
        batch_op.drop_index(batch_op.f('ix_sms_outbox_user_id'))
    op.drop_table('sms_outbox')
