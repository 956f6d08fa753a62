"""Neighbourhoods of the programme and which of them are adjacent (data, not code)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model, db

neighbourhood_adjacency = Table(
    "neighbourhood_adjacency",
    db.metadata,
    Column("a_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
    Column("b_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
    # Each undirected edge is stored once, smaller id first.
    CheckConstraint("a_id < b_id", name="ordered"),
)


class Neighbourhood(Model):
    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.slug}>"
