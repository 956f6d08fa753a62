"""Families registered at the Hub's front desk (issue 16)

A facilitator registers a family sitting at the desk: the account may have no email
address (``users.email`` nullable; several NULLs never collide with the unique
constraint), the household records the consent given in person (when, which privacy
notice, recorded by whom), and an audit event may say for which family a facilitator
acted (``audit_events.on_behalf_of_id``). On PostgreSQL the append-only trigger learns
the new column: only the ON DELETE SET NULL of the family may touch it.

Revision ID: e5c2d9a4b7f1
Revises: e5b2c7d9a4f1
Create Date: 2026-12-05 20:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'e5c2d9a4b7f1'
down_revision = 'e5b2c7d9a4f1'
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
     AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
     AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
     AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
     AND NEW.details::text = OLD.details::text
     AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
     AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
     AND (NEW.household_id IS NULL OR NEW.household_id = OLD.household_id){extra} THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END
$$ LANGUAGE plpgsql
"""
_ON_BEHALF = """
     AND (NEW.on_behalf_of_id IS NULL OR NEW.on_behalf_of_id = OLD.on_behalf_of_id)"""


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('desk_consent_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('desk_consent_version', sa.String(length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('desk_consent_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_households_desk_consent_by_id_users'), 'users',
                                    ['desk_consent_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_on_behalf_of_id'),
                              ['on_behalf_of_id'], unique=False)
        batch_op.create_foreign_key(op.f('fk_audit_events_on_behalf_of_id_households'),
                                    'households', ['on_behalf_of_id'], ['id'],
                                    ondelete='SET NULL')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_FUNCTION.replace("{extra}", _ON_BEHALF))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_FUNCTION.replace("{extra}", ""))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_audit_events_on_behalf_of_id_households'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_events_on_behalf_of_id'))
        batch_op.drop_column('on_behalf_of_id')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_households_desk_consent_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('desk_consent_by_id')
        batch_op.drop_column('desk_consent_version')
        batch_op.drop_column('desk_consent_at')
    # A family registered without an address cannot keep its account as it was: it gets
    # a placeholder no mail is sent to (it had no password to log in with anyway).
    op.execute("UPDATE users SET email = 'desk-' || public_id || '@invalid' "
               "WHERE email IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
