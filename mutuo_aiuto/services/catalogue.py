"""Categories of help and skills: the lists an administrator edits.

Names come per language: the default language's name is ``name``, the others
go into ``translations``. A row that needs or offers refer to is only ever
deactivated; a true delete is allowed only while nothing refers to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from mutuo_aiuto.languages import DEFAULT_LOCALE, LANGUAGES
from mutuo_aiuto.models import CATEGORY_KINDS, Category, Need, Skill
from mutuo_aiuto.models.need import need_skills
from mutuo_aiuto.models.offer import offer_skills
from mutuo_aiuto.services.errors import DomainError, NotFound

# One SVG per name in web/static/icons/ (a test checks that each file exists).
ICON_NAMES: tuple[str, ...] = (
    "care", "childcare", "school", "homework", "elderly", "errands", "meals", "clock",
    "listening", "family", "mediation", "play", "together", "digital",
)
# Names every category and skill must have: the default language, and English
# as the common fallback for the families who read neither Italian nor their own.
REQUIRED_NAME_LANGUAGES: tuple[str, ...] = (DEFAULT_LOCALE, "en")

SLUG_MAX = 60
NAME_MAX = 120
POSITION_MAX = 999
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

KIND_LABELS = {
    "care": _l("Care tasks"),
    "reconciliation": _l("Work and family time"),
    "relational": _l("Relational support"),
    "conflict": _l("Conflict support"),
    "socialising": _l("Socialising"),
}


@dataclass(frozen=True)
class CategoryData:
    """What the category form sends; ``names`` maps a language code to a name."""

    names: Mapping[str, str]
    slug: str = ""
    kind: str = "care"
    icon: str = "care"
    requires_vetted: bool = False
    remote: bool = False
    active: bool = True
    position: int = 0
    # Slugs of the skills a request of this category asks for unless the family changes them.
    default_skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillData:
    """What the skill form sends; ``category`` is a category slug or empty."""

    names: Mapping[str, str]
    slug: str = ""
    category: str = ""
    active: bool = True
    position: int = 0


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def slugify(text: str) -> str:
    """``"Madonna Alta"`` → ``"madonna-alta"``; accents dropped, at most ``SLUG_MAX``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def clean_slug(slug: str | None, name: str, field: str = "slug") -> str:
    """The given slug, or one made from the name; refused unless lower-case words and dashes."""
    slug = (slug or "").strip() or slugify(name)
    if not slug:
        raise DomainError(_l("Write a short name for addresses, such as “school-run”."),
                          field=field)
    if len(slug) > SLUG_MAX or not _SLUG.fullmatch(slug):
        raise DomainError(_l("Use only lower-case letters, digits and dashes "
                             "(at most %(count)d), such as “school-run”.", count=SLUG_MAX),
                          field=field)
    return slug


def clean_names(names: Mapping[str, str], old: Mapping[str, str] | None = None
                ) -> tuple[str, dict[str, str]]:
    """``(name, translations)`` from one name per language of ``LANGUAGES``.

    Translations for languages no longer offered are kept, so that taking a
    language off the list and back on loses nothing.
    """
    cleaned = {code: (names.get(code) or "").strip() for code in LANGUAGES}
    for code in REQUIRED_NAME_LANGUAGES:
        if code in cleaned and not cleaned[code]:
            raise DomainError(_l("Write the name in this language: %(language)s.",
                                  language=LANGUAGES[code]),
                              field=f"name_{code}")
    for code, text in cleaned.items():
        if len(text) > NAME_MAX:
            raise DomainError(_l("Please write at most %(count)d characters.", count=NAME_MAX),
                              field=f"name_{code}")
    kept = {code: text for code, text in (old or {}).items() if code not in LANGUAGES}
    translations = kept | {code: text for code, text in cleaned.items()
                           if text and code != DEFAULT_LOCALE}
    return cleaned[DEFAULT_LOCALE], translations


def _check_unique(session: Session, model: type[Category] | type[Skill], row_id: int | None,
                  slug: str, name: str) -> None:
    others = session.execute(select(model.slug, model.name).where(model.id != (row_id or 0))).all()
    if any(other_slug == slug for other_slug, _ in others):
        raise DomainError(_l("This short name is already used: choose another."), field="slug")
    if any(other_name.casefold() == name.casefold() for _, other_name in others):
        raise DomainError(_l("This name is already used: choose another."),
                          field=f"name_{DEFAULT_LOCALE}")


def _check_position(position: int) -> int:
    if not 0 <= position <= POSITION_MAX:
        raise DomainError(_l("Give a number from 0 to %(max)d.", max=POSITION_MAX),
                          field="position")
    return position


# ---- categories --------------------------------------------------------------


def list_categories(session: Session, active_only: bool = False) -> list[Category]:
    query = select(Category).order_by(Category.position, Category.name)
    if active_only:
        query = query.where(Category.active.is_(True))
    return list(session.execute(query).scalars())


def get_category(session: Session, slug: str) -> Category:
    category = session.execute(select(Category).filter_by(slug=slug)).scalar_one_or_none()
    if category is None:
        raise NotFound(_l("This category does not exist."))
    return category


def _apply_category(session: Session, category: Category, data: CategoryData) -> Category:
    name, translations = clean_names(data.names, category.translations)
    slug = clean_slug(data.slug, name)
    if data.kind not in CATEGORY_KINDS:
        raise DomainError(_l("Choose a kind of help from the list."), field="kind")
    if data.icon not in ICON_NAMES:
        raise DomainError(_l("Choose an icon from the list."), field="icon")
    _check_unique(session, Category, category.id, slug, name)
    category.name, category.translations, category.slug = name, translations, slug
    category.kind, category.icon = data.kind, data.icon
    category.requires_vetted, category.remote = data.requires_vetted, data.remote
    category.active, category.position = data.active, _check_position(data.position)
    category.default_skills = _default_skills(session, data.default_skills)
    session.add(category)
    session.flush()
    return category


def _default_skills(session: Session, slugs: tuple[str, ...]) -> list[Skill]:
    wanted = set(slugs)
    if not wanted:
        return []
    found = list(session.execute(select(Skill).where(Skill.slug.in_(wanted))
                                 .order_by(Skill.position, Skill.id)).scalars())
    if len(found) != len(wanted):
        raise DomainError(_l("Choose skills from the list."), field="default_skills")
    return found


def create_category(session: Session, data: CategoryData) -> Category:
    return _apply_category(session, Category(translations={}), data)


def update_category(session: Session, category: Category, data: CategoryData) -> Category:
    return _apply_category(session, category, data)


def category_in_use(session: Session, category: Category) -> bool:
    """Needs or skills refer to it."""
    return bool(session.execute(select(
        exists().where(Need.category_id == category.id)
        | exists().where(Skill.category_id == category.id))).scalar())


def deactivate_category(session: Session, category: Category) -> None:
    """Families can no longer choose it; what refers to it stays as it was."""
    category.active = False


def delete_category(session: Session, category: Category) -> None:
    if category_in_use(session, category):
        raise DomainError(_l("Requests or skills refer to this category, so it cannot be "
                             "deleted. Deactivate it instead: families will no longer "
                             "see it."))
    session.delete(category)
    session.flush()


# ---- skills ------------------------------------------------------------------


def list_skills(session: Session, active_only: bool = False) -> list[Skill]:
    query = (select(Skill).outerjoin(Skill.category)
             .order_by(Category.position, Category.name, Skill.position, Skill.name))
    if active_only:
        query = query.where(Skill.active.is_(True))
    return list(session.execute(query).scalars())


def get_skill(session: Session, slug: str) -> Skill:
    skill = session.execute(select(Skill).filter_by(slug=slug)).scalar_one_or_none()
    if skill is None:
        raise NotFound(_l("This skill does not exist."))
    return skill


def _skill_category(session: Session, slug: str) -> Category | None:
    if not slug:
        return None
    category = session.execute(select(Category).filter_by(slug=slug)).scalar_one_or_none()
    if category is None:
        raise DomainError(_l("Choose a category from the list."), field="category")
    return category


def _apply_skill(session: Session, skill: Skill, data: SkillData) -> Skill:
    name, translations = clean_names(data.names, skill.translations)
    slug = clean_slug(data.slug, name)
    category = _skill_category(session, data.category)
    _check_unique(session, Skill, skill.id, slug, name)
    skill.name, skill.translations, skill.slug = name, translations, slug
    skill.category = category
    skill.active, skill.position = data.active, _check_position(data.position)
    session.add(skill)
    session.flush()
    return skill


def create_skill(session: Session, data: SkillData) -> Skill:
    return _apply_skill(session, Skill(translations={}), data)


def update_skill(session: Session, skill: Skill, data: SkillData) -> Skill:
    return _apply_skill(session, skill, data)


def skill_in_use(session: Session, skill: Skill) -> bool:
    """Needs or offers ask for or give it."""
    return bool(session.execute(select(
        exists().where(need_skills.c.skill_id == skill.id)
        | exists().where(offer_skills.c.skill_id == skill.id))).scalar())


def deactivate_skill(session: Session, skill: Skill) -> None:
    skill.active = False


def delete_skill(session: Session, skill: Skill) -> None:
    if skill_in_use(session, skill):
        raise DomainError(_l("Requests or offers refer to this skill, so it cannot be "
                             "deleted. Deactivate it instead: families will no longer "
                             "see it."))
    session.delete(skill)
    session.flush()


def count_skills(session: Session) -> dict[int, int]:
    """Skills per category id, for the categories list."""
    rows = session.execute(select(Skill.category_id, func.count())
                           .group_by(Skill.category_id)).all()
    return {category_id: count for category_id, count in rows if category_id is not None}


def names_of(row: Category | Skill) -> dict[str, str]:
    """One name per language of ``LANGUAGES``, as the forms show them."""
    translations = row.translations or {}
    return {code: row.name if code == DEFAULT_LOCALE else translations.get(code, "")
            for code in LANGUAGES}
