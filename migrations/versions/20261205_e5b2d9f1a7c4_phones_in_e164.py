"""Phones in E.164 (issue 16, "Phone numbers done right")

Household phones were free text checked only for digits ("+39 333 123 4567",
"333-1234567", "075.123.4567"). They are now stored in E.164 ("+393331234567"):
this rewrites every stored phone that parses as a valid number (an Italian one
when written without a country code) and leaves the others exactly as they are,
so nothing a family gave is lost; pages show those as they were typed.

The phones are encrypted: the migration reads and writes them through the app's
keys (Flask-Migrate runs it inside the app, where the key ring is installed). A
phone the keys cannot open is left alone.

Downgrade changes nothing: the E.164 spelling is a valid phone under the old
check too, and the spelling each family first typed is not kept anywhere.

Revision ID: e5b2d9f1a7c4
Revises: e5b2d9f4a7c1
Create Date: 2026-12-05 20:10:00

"""
import sqlalchemy as sa
from alembic import op

from mutuo_aiuto.models.types import EncryptedText
from mutuo_aiuto.services.phones import normalised

revision = 'e5b2d9f1a7c4'
down_revision = "e5b2d9f4a7c1"
branch_labels = None
depends_on = None

_households = sa.table("households", sa.column("id", sa.Integer),
                       sa.column("phone", EncryptedText()))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(_households.c.id, _households.c.phone)
                              .where(_households.c.phone.is_not(None))).all()
    for household_id, phone in rows:
        e164 = normalised(phone)
        if e164 is not None and e164 != phone:
            connection.execute(sa.update(_households).where(_households.c.id == household_id)
                               .values(phone=e164))


def downgrade():
    # Nothing to undo: see the docstring.
    pass
