"""The outbox's delivery state: public id, kind, backoff and giving up

Each mail is claimed, sent and marked on its own (its public id is the
Message-ID, so a resend after a crash is recognisable); failures wait with an
exponential backoff (``next_attempt_at``) until ``retry_until``, then the mail
is given up (``failed_at``) and listed for the facilitators.

Mails already sent keep only a digest of the tokens in their links (reset and
confirmation links were kept live for 30 days); the downgrade cannot bring
them back, nor needs to.

Revision ID: 9b2e4d7a1c30
Revises: 3f1c2a7b9d10
Create Date: 2026-12-05 14:10:00

"""
import hashlib
import re
import secrets

from alembic import op
import sqlalchemy as sa


revision = '9b2e4d7a1c30'
down_revision = '3f1c2a7b9d10'
branch_labels = None
depends_on = None

# The same pattern as services/outbox.py's TOKEN, copied: a migration must not
# change when the app's code does.
TOKEN = re.compile(r"\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")


def _redacted(text):
    def digest(found):
        return f"[token removed, sha256:{hashlib.sha256(found.group(0).encode()).hexdigest()[:12]}]"

    return TOKEN.sub(digest, text)


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=False,
                                      server_default='mail'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('retry_until', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer),
                      sa.column('public_id', sa.String), sa.column('body', sa.Text),
                      sa.column('sent_at', sa.DateTime))
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.body, outbox.c.sent_at)).fetchall()
    for row_id, body, sent_at in rows:
        values = {'public_id': secrets.token_urlsafe(9)}
        if sent_at is not None and body:
            values['body'] = _redacted(body)
        connection.execute(outbox.update().where(outbox.c.id == row_id).values(**values))
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint('uq_outbox_messages_public_id', ['public_id'])
        batch_op.create_index('ix_outbox_messages_next_attempt_at', ['next_attempt_at'])


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_index('ix_outbox_messages_next_attempt_at')
        batch_op.drop_constraint('uq_outbox_messages_public_id', type_='unique')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('retry_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('kind')
        batch_op.drop_column('public_id')
