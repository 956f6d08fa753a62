"""A small world where a family's need and a helper's offer fit, for the matching tests.

``Scene`` gives one neighbourhood, one skill, a facilitator, a family with a
need (Tuesdays 16:00–18:00) and a helper with an offer (Tuesdays 15:00–19:00)
that the matcher may pair; ``another_need`` / ``another_offer`` add more in the
same place and skill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    Category,
    Household,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Skill,
    User,
)
from tests import factories


@dataclass
class Scene:
    session: Session
    place: Neighbourhood
    category: Category
    skill: Skill
    facilitator: User
    family: Household
    helper: Household
    need: Need
    offer: Offer

    def household(self, **overrides: Any) -> Household:
        values = {"neighbourhood": self.place, "languages": ["it"]} | overrides
        return factories.make_household(self.session, **values)

    def another_need(self, **overrides: Any) -> Need:
        household = overrides.pop("household", None) or self.household(
            user=factories.make_user(self.session, locale="en"))
        values = {"category": self.category, "skills": [self.skill], "neighbourhood": self.place,
                  "languages": ["it"]} | overrides
        return factories.make_need(self.session, household=household, **values)

    def another_offer(self, **overrides: Any) -> Offer:
        household = overrides.pop("household", None) or self.household(
            user=factories.make_user(self.session, locale="en"))
        values = {"skills": [self.skill], "neighbourhood": self.place,
                  "languages": ["ar", "it"]} | overrides
        return factories.make_offer(self.session, household=household, **values)


def tuesday(start: int, end: int, slot: type = NeedSlot) -> Any:
    """A weekly slot on Tuesdays, hours given as whole hours."""
    return slot(weekday=1, start_minute=start * 60, end_minute=end * 60)


def build_scene(session: Session, **need_overrides: Any) -> Scene:
    place = factories.make_neighbourhood(session, slug="fontivegge", name="Fontivegge")
    category = factories.make_category(session, slug="childcare", name="Bambini",
                                       translations={"en": "Childcare"})
    skill = factories.make_skill(session, slug="school-run", name="Accompagnamento",
                                 translations={"en": "School run"}, category=category)
    facilitator = factories.make_user(session, role="facilitator", locale="en",
                                      name="Facilitatrice")
    family = factories.make_household(
        session, user=factories.make_user(session, locale="en", name="Amina"),
        name="Famiglia Hassan", neighbourhood=place, languages=["it", "ar"],
        phone="+39 075 111 1111")
    helper = factories.make_household(
        session, user=factories.make_user(session, locale="it", name="Giulia"),
        name="Famiglia Rossi", neighbourhood=place, languages=["it", "ar"],
        phone="+39 075 222 2222")
    need = factories.make_need(session, household=family, category=category, skills=[skill],
                               neighbourhood=place, languages=["ar"],
                               title="Uscita da scuola", **need_overrides)
    offer = factories.make_offer(session, household=helper, skills=[skill], neighbourhood=place,
                                 languages=["ar", "it"], slots=[tuesday(15, 19, OfferSlot)],
                                 title="Pomeriggi liberi")
    session.commit()
    return Scene(session, place, category, skill, facilitator, family, helper, need, offer)
