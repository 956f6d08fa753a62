"""Sign in by phone: a keyed hash of each account's mobile number, and one-time codes (issue 16)

``users.phone_lookup`` finds an account by its mobile number without storing the
number in clear (the number stays encrypted on the household). Existing
households' phones are read (decrypted with the app's keys), parsed as Italian
numbers by default, and the accounts whose number is a valid mobile one get
its hash; a number shared by two accounts goes to the first only. The keyed
hash uses the key the app derives from its secret key (``models.types.lookup_key_from``).

``phone_codes`` holds the codes asked for, as salted keyed hashes.

Revision ID: e5b2c9d1a7f4
Revises: f3a8c6e1b942
Create Date: 2026-12-05 20:15:00

"""
import hashlib
import hmac

import phonenumbers
import sqlalchemy as sa
from alembic import op
from cryptography.fernet import InvalidToken
from flask import current_app


revision = 'e5b2c9d1a7f4'
# Written on d4a1c8e2f6b3; chained after the sms branch's migrations when it was merged
# in (their phones are in E.164 by then).
down_revision = "f3a8c6e1b942"
branch_labels = None
depends_on = None

_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def upgrade():
    # Not a batch operation: on SQLite a batch rebuilds "users", and dropping the old
    # table with foreign keys on deletes every household (ON DELETE CASCADE). A new
    # column and a unique index need no rebuild.
    op.add_column('users', sa.Column('phone_lookup', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_users_phone_lookup'), 'users', ['phone_lookup'], unique=True)
    op.create_table(
        'phone_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone_lookup', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_phone_codes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    )
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.create_index('ix_phone_codes_lookup_created', ['phone_lookup', 'created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_phone_codes_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_codes_created_at'), ['created_at'],
                              unique=False)
    _backfill()


def _mobile_e164(text):
    try:
        number = phonenumbers.parse(text.strip(), "IT")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _backfill():
    # The app's keys, as create_app installed them (``extensions.init_app``).
    fernet = current_app.extensions["mutuo_aiuto.crypto"]
    key = current_app.extensions["mutuo_aiuto.lookup_key"]
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT user_id, phone FROM households WHERE phone IS NOT NULL AND phone != '' "
        "ORDER BY user_id")).all()
    taken = set()
    for user_id, token in rows:
        try:
            phone = fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            continue  # unreadable with these keys: the owner saves the phone again
        e164 = _mobile_e164(phone)
        if e164 is None:
            continue
        lookup = hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()
        if lookup in taken:
            continue
        taken.add(lookup)
        connection.execute(sa.text("UPDATE users SET phone_lookup = :lookup WHERE id = :id"),
                           {"lookup": lookup, "id": user_id})


def downgrade():
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_codes_created_at'))
        batch_op.drop_index(batch_op.f('ix_phone_codes_user_id'))
        batch_op.drop_index('ix_phone_codes_lookup_created')
    op.drop_table('phone_codes')
    op.drop_index(op.f('ix_users_phone_lookup'), table_name='users')
    op.drop_column('users', 'phone_lookup')  # SQLite 3.35+ drops a column in place
