"""A lease in the database, so that only one scheduler process runs the jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime


class Lease(Model):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
