"""Factories for the rows tests need: ``make_household(**overrides)`` and friends.

Each takes the session and returns a flushed object; every field has a
sensible default so a test names only what it is about.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    Association,
    AssociationCoordinator,
    Category,
    Household,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Skill,
    User,
    neighbourhood_adjacency,
)
from mutuo_aiuto.services.passwords import hash_password

_counter = itertools.count(1)
TEST_PASSWORD = "correct horse battery staple"


def _n() -> int:
    return next(_counter)


_hashes: dict[str, str] = {}


def _hash(password: str) -> str:
    # argon2 is slow on purpose: hash each test password once per run.
    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


def make_neighbourhood(session: Session, **overrides: Any) -> Neighbourhood:
    n = _n()
    values = {"slug": f"quartiere-{n}", "name": f"Quartiere {n}"} | overrides
    place = Neighbourhood(**values)
    session.add(place)
    session.flush()
    return place


def connect(session: Session, a: Neighbourhood, b: Neighbourhood) -> None:
    low, high = sorted((a.id, b.id))
    session.execute(neighbourhood_adjacency.insert().values(a_id=low, b_id=high))


def make_category(session: Session, **overrides: Any) -> Category:
    n = _n()
    values = {"slug": f"categoria-{n}", "name": f"Categoria {n}",
              "translations": {"en": f"Category {n}"}} | overrides
    category = Category(**values)
    session.add(category)
    session.flush()
    return category


def make_skill(session: Session, **overrides: Any) -> Skill:
    n = _n()
    values = {"slug": f"competenza-{n}", "name": f"Competenza {n}",
              "translations": {"en": f"Skill {n}"}} | overrides
    skill = Skill(**values)
    session.add(skill)
    session.flush()
    return skill


def make_user(session: Session, **overrides: Any) -> User:
    n = _n()
    password = overrides.pop("password", TEST_PASSWORD)
    values = {"email": f"persona{n}@example.org", "name": f"Persona {n}", "locale": "it",
              "role": "member", "password_hash": _hash(password),
              "consent_version": "2026-11",
              # Confirmed, as most tests need a member who can log in.
              "email_confirmed_at": datetime.now(UTC)} | overrides
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_household(session: Session, **overrides: Any) -> Household:
    user = overrides.pop("user", None) or make_user(session)
    neighbourhood = overrides.pop("neighbourhood", None) or make_neighbourhood(session)
    values = {"name": f"Famiglia {user.name}", "languages": ["it"],
              "phone": "+39 075 000 0000", "address": "Via del Macello 1, Perugia"} | overrides
    household = Household(user=user, neighbourhood=neighbourhood, **values)
    session.add(household)
    session.flush()
    return household


def make_need(session: Session, **overrides: Any) -> Need:
    household = overrides.pop("household", None) or make_household(session)
    category = overrides.pop("category", None) or make_category(session)
    skills = overrides.pop("skills", None)
    if skills is None:
        skills = [make_skill(session, category=category)]
    slots = overrides.pop("slots", None) or [NeedSlot(weekday=1, start_minute=16 * 60,
                                                      end_minute=18 * 60)]
    values = {"title": "Accompagnamento a scuola", "status": "open",
              "description": "Serve aiuto il martedì pomeriggio.",
              "neighbourhood": household.neighbourhood,
              "ends_on": date.today() + timedelta(days=60)} | overrides
    need = Need(household=household, category=category, skills=skills, slots=slots, **values)
    session.add(need)
    session.flush()
    return need


def make_offer(session: Session, **overrides: Any) -> Offer:
    household = overrides.pop("household", None) or make_household(session)
    skills = overrides.pop("skills", None) or [make_skill(session)]
    slots = overrides.pop("slots", None) or [OfferSlot(weekday=1, start_minute=15 * 60,
                                                       end_minute=19 * 60)]
    values = {"title": "Posso aiutare il pomeriggio", "status": "open",
              "neighbourhood": household.neighbourhood,
              "ends_on": date.today() + timedelta(days=90)} | overrides
    offer = Offer(household=household, skills=skills, slots=slots, **values)
    session.add(offer)
    session.flush()
    return offer


def make_match(session: Session, **overrides: Any) -> Any:
    """A confirmed pairing, active by default (need active, offer open)."""
    from mutuo_aiuto.models import Match

    status = overrides.pop("status", "active")
    need = overrides.pop("need", None) or make_need(
        session, status="active" if status == "active" else "matched")
    offer = overrides.pop("offer", None) or make_offer(session)
    values = {"status": status,
              "started_on": date.today() - timedelta(days=3) if status == "active" else None
              } | overrides
    match = Match(need=need, offer=offer, **values)
    session.add(match)
    session.flush()
    return match


# A 1×1 PNG: a real image's bytes, for logo uploads.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")


def make_association(session: Session, **overrides: Any) -> Association:
    """An approved association; ``coordinators`` (users) manage it, ``neighbourhoods``
    (places) it works in."""
    n = _n()
    coordinators = overrides.pop("coordinators", None) or [make_user(session)]
    places = overrides.pop("neighbourhoods", None) or [make_neighbourhood(session)]
    values = {"name": f"Associazione {n}", "description": "Famiglie insieme.",
              "languages": ["it"], "public_email": f"info{n}@example.org",
              "status": "approved", "approved_at": datetime.now(UTC)} | overrides
    association = Association(**values)
    association.neighbourhoods = list(places)
    association.coordinators = [AssociationCoordinator(user_id=user.id)
                                for user in coordinators]
    session.add(association)
    session.flush()
    return association
