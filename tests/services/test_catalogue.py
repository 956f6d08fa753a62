"""Categories and skills: names per language, unique slugs and names, deactivate vs delete."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.i18n import LANGUAGES
from mutuo_aiuto.models import Category, Skill
from mutuo_aiuto.services import catalogue
from mutuo_aiuto.services.catalogue import CategoryData, SkillData
from mutuo_aiuto.services.errors import DomainError, NotFound

NAMES = {"it": "Accompagnamento a scuola", "en": "School run"}


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def test_create_category_keeps_default_name_and_translations(session):
    category = catalogue.create_category(session, CategoryData(
        names=NAMES, kind="care", icon="school", requires_vetted=True, position=20))
    assert category.slug == "accompagnamento-a-scuola"
    assert category.name == "Accompagnamento a scuola"
    assert category.translations == {"en": "School run"}
    assert category.label("en") == "School run"
    assert (category.requires_vetted, category.remote, category.position) == (True, False, 20)


@pytest.mark.parametrize(("data", "field"), [
    (CategoryData(names={"it": "", "en": "School run"}), "name_it"),
    (CategoryData(names={"it": "Scuola"}), "name_en"),
    (CategoryData(names=NAMES, slug="Scuola!"), "slug"),
    (CategoryData(names=NAMES, kind="magic"), "kind"),
    (CategoryData(names=NAMES, icon="rocket"), "icon"),
    (CategoryData(names=NAMES, position=-1), "position"),
    (CategoryData(names={"it": "x" * 121, "en": "x"}), "name_it"),
])
def test_invalid_category_is_refused_on_its_field(session, data, field):
    with pytest.raises(DomainError) as caught:
        catalogue.create_category(session, data)
    assert caught.value.field == field
    session.rollback()
    assert count(session, Category) == 0


def test_duplicate_category_slug_or_name_is_a_field_error(session, make_category):
    make_category(slug="school-run", name="Accompagnamento a scuola")
    with pytest.raises(DomainError) as slug_taken:
        catalogue.create_category(session, CategoryData(names={"it": "Altro", "en": "Other"},
                                                        slug="school-run"))
    assert slug_taken.value.field == "slug"
    with pytest.raises(DomainError) as name_taken:
        catalogue.create_category(session, CategoryData(
            names={"it": "ACCOMPAGNAMENTO A SCUOLA", "en": "x"}, slug="other"))
    assert name_taken.value.field == "name_it"
    session.rollback()
    assert count(session, Category) == 1


def test_update_keeps_translations_of_languages_not_offered(session, make_category):
    # German is not offered: a translation an administrator once stored stays.
    category = make_category(translations={"en": "Old", "de": "Pflege"})
    catalogue.update_category(session, category, CategoryData(
        names={"it": "Nuovo", "en": "New"}, slug=category.slug))
    assert category.name == "Nuovo"
    assert category.translations == {"en": "New", "de": "Pflege"}


def test_update_under_its_own_slug_and_name_is_fine(session, make_category):
    category = make_category(slug="meals", name="Pasti")
    catalogue.update_category(session, category, CategoryData(
        names={"it": "Pasti", "en": "Meals"}, slug="meals", remote=True))
    assert category.remote is True


def test_delete_unused_category(session, make_category):
    category = make_category()
    assert not catalogue.category_in_use(session, category)
    catalogue.delete_category(session, category)
    assert count(session, Category) == 0


def test_category_with_a_skill_is_only_deactivated(session, make_category, make_skill):
    category = make_category()
    make_skill(category=category)
    with pytest.raises(DomainError):
        catalogue.delete_category(session, category)
    catalogue.deactivate_category(session, category)
    assert count(session, Category) == 1
    assert category.active is False


def test_category_of_a_need_cannot_be_deleted(session, make_need, make_category):
    category = make_category()
    make_need(category=category, skills=[])
    assert catalogue.category_in_use(session, category)
    with pytest.raises(DomainError):
        catalogue.delete_category(session, category)


def test_unknown_slugs_are_not_found(session):
    with pytest.raises(NotFound):
        catalogue.get_category(session, "nothing")
    with pytest.raises(NotFound):
        catalogue.get_skill(session, "nothing")


def test_create_skill_in_a_category(session, make_category):
    category = make_category(slug="homework")
    skill = catalogue.create_skill(session, SkillData(
        names={"it": "Aiuto compiti", "en": "Homework help"}, category="homework"))
    assert (skill.slug, skill.category, skill.translations) == (
        "aiuto-compiti", category, {"en": "Homework help"})


def test_skill_with_unknown_category_is_refused(session):
    with pytest.raises(DomainError) as caught:
        catalogue.create_skill(session, SkillData(names={"it": "A", "en": "B"},
                                                  category="nowhere"))
    assert caught.value.field == "category"
    session.rollback()
    assert count(session, Skill) == 0


def test_duplicate_skill_slug_is_a_field_error(session, make_skill):
    make_skill(slug="ascolto")
    with pytest.raises(DomainError) as caught:
        catalogue.create_skill(session, SkillData(names={"it": "Ascolto", "en": "x"}))
    assert caught.value.field == "slug"


def test_skill_of_an_offer_is_only_deactivated(session, make_offer, make_skill):
    skill = make_skill()
    make_offer(skills=[skill])
    assert catalogue.skill_in_use(session, skill)
    with pytest.raises(DomainError):
        catalogue.delete_skill(session, skill)
    catalogue.deactivate_skill(session, skill)
    assert skill.active is False
    assert count(session, Skill) == 1


def test_delete_unused_skill(session, make_skill):
    skill = make_skill()
    catalogue.delete_skill(session, skill)
    assert count(session, Skill) == 0


def test_names_of_fills_every_language(make_category):
    category = make_category(name="Pasti", translations={"en": "Meals"})
    names = catalogue.names_of(category)
    assert set(names) == set(LANGUAGES)
    assert names["it"] == "Pasti" and names["en"] == "Meals"
    assert all(names[code] == "" for code in set(LANGUAGES) - {"it", "en"})


@pytest.mark.parametrize(("text", "slug"), [
    ("Madonna Alta", "madonna-alta"),
    ("Attività di gruppo", "attivita-di-gruppo"),
    ("  --Già!! fatto-- ", "gia-fatto"),
    ("مرحبا", ""),
])
def test_slugify(text, slug):
    assert catalogue.slugify(text) == slug


@given(st.text(max_size=200), st.text(max_size=200))
def test_clean_slug_gives_a_valid_slug_or_a_domain_error(slug, name):
    try:
        cleaned = catalogue.clean_slug(slug, name)
    except DomainError as error:
        assert error.field == "slug"
    else:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cleaned)
        assert len(cleaned) <= catalogue.SLUG_MAX
