"""Categories of help and skills: editable lists, with names per language."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model, db

# The kinds of help named by the programme; a category belongs to one of them.
CATEGORY_KINDS = ("care", "reconciliation", "relational", "conflict", "socialising")


# The skills a request of a category asks for unless the family changes them (the
# administrator sets them on the category's page). A skill of any category may be one.
category_default_skills = Table(
    "category_default_skills",
    db.metadata,
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


class LocalizedNameMixin:
    """A name in the default language plus optional translations by locale."""

    name: Mapped[str] = mapped_column(String(120))
    translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    def label(self, locale: str) -> str:
        return (self.translations or {}).get(locale) or self.name


class Category(LocalizedNameMixin, Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="care")
    icon: Mapped[str] = mapped_column(String(40), default="care")
    # Help with children or vulnerable people: only vetted helpers.
    requires_vetted: Mapped[bool] = mapped_column(default=False)
    # Help that can be given by phone or online: distance does not limit it.
    remote: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    skills: Mapped[list[Skill]] = relationship(back_populates="category",
                                               order_by="Skill.position")
    default_skills: Mapped[list[Skill]] = relationship(
        secondary=category_default_skills, order_by="Skill.position")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Skill(LocalizedNameMixin, Model):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[Category | None] = relationship(back_populates="skills")

    def __repr__(self) -> str:
        return f"<Skill {self.slug}>"
