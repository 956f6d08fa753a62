"""Who the programme reaches (ESF+, issue 14): each person's optional answers

Gender, work at entry, education, citizenship and foreign background as plain
codes; disability and minority as special-category data, encrypted, kept only
with a separate consent recorded with its time and notice version.

The old "Has a disability" tick moves into the consent-guarded answer: a person
whose family ticked it gave that answer freely on the form, under the notice of
the time, so it is kept as "yes" with a consent marked ``legacy-2026-11`` dated
when the household was made (the best known time); the family sees it on its page
and can withdraw it, which deletes the answer. An unticked box said nothing (it
was not "no"), so those people have no answer.

Revision ID: e5f2a7c91b04
Revises: d4a1c8e2f6b3
Create Date: 2026-12-05 20:10:00

"""
import sqlalchemy as sa
from alembic import op

from mutuo_aiuto.models.types import EncryptedText, UTCDateTime

revision = 'e5f2a7c91b04'
down_revision = "d4a1c8e2f6b3"
branch_labels = None
depends_on = None

LEGACY_CONSENT = "legacy-2026-11"
_CHOICES = {
    "gender": ('woman', 'man', 'non_binary', 'prefer_not'),
    "employment": ('unemployed', 'long_term_unemployed', 'inactive', 'employed', 'prefer_not'),
    "education": ('isced_0_2', 'isced_3_4', 'isced_5_8', 'prefer_not'),
    "citizenship": ('italian', 'other_eu', 'third_country', 'prefer_not'),
    "foreign_background": ('yes', 'no', 'prefer_not'),
}
_LENGTHS = {"gender": 12, "employment": 24, "education": 12, "citizenship": 16,
            "foreign_background": 12}


def _members(*columns: sa.ColumnClause) -> sa.TableClause:
    return sa.table('household_members', sa.column('id', sa.Integer()),
                    sa.column('household_id', sa.Integer()), *columns)


def upgrade():
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        for name, length in _LENGTHS.items():
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column('disability', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minority', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('special_consent_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('special_consent_version', sa.String(length=20),
                                      nullable=True))
        for name, values in _CHOICES.items():
            batch_op.create_check_constraint(
                op.f(f'ck_household_members_{name}'), f"{name} IS NULL OR {name} IN {values!r}")

    connection = op.get_bind()
    households = sa.table('households', sa.column('id', sa.Integer()),
                          sa.column('created_at', UTCDateTime()))
    old = _members(sa.column('has_disability', sa.Boolean()))
    ticked = connection.execute(
        sa.select(old.c.id, households.c.created_at)
        .join(households, households.c.id == old.c.household_id)
        .where(old.c.has_disability.is_(True))).all()
    # Written through EncryptedText: the answer is encrypted with the app's keys.
    new = _members(sa.column('disability', EncryptedText()),
                   sa.column('special_consent_at', UTCDateTime()),
                   sa.column('special_consent_version', sa.String()))
    for member_id, created_at in ticked:
        connection.execute(new.update().where(new.c.id == member_id).values(
            disability="yes", special_consent_at=created_at,
            special_consent_version=LEGACY_CONSENT))

    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_column('has_disability')


def downgrade():
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_disability', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    connection = op.get_bind()
    table = _members(sa.column('disability', EncryptedText()),
                     sa.column('has_disability', sa.Boolean()))
    answered = connection.execute(sa.select(table.c.id, table.c.disability)
                                  .where(table.c.disability.is_not(None))).all()
    for member_id, answer in answered:
        if answer == "yes":
            connection.execute(table.update().where(table.c.id == member_id)
                               .values(has_disability=True))
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        for name in reversed(list(_CHOICES)):
            batch_op.drop_constraint(op.f(f'ck_household_members_{name}'), type_='check')
        for name in ('special_consent_version', 'special_consent_at', 'minority', 'disability',
                     *reversed(list(_LENGTHS))):
            batch_op.drop_column(name)
