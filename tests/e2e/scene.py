"""The rows a browser test starts from: reference data, and the scene the journeys leave.

The demo loader fills a whole town; the browser tests need only a little, made
here with the test factories so that each test knows exactly what is there.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Category,
    Household,
    MatchingRun,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Proposal,
    Skill,
)
from tests import factories
from tests.e2e import steps

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

FACILITATOR_EMAIL = "facilitatrice@example.org"
NEIGHBOURHOODS = ("Fontivegge", "Madonna Alta", "Zona Cortonese")


def add_reference_data(session: Session) -> dict[str, Any]:
    """Three neighbourhoods in a row, school run and homework with skills, a facilitator."""
    places = [factories.make_neighbourhood(session, slug=name.lower().replace(" ", "-"),
                                           name=name) for name in NEIGHBOURHOODS]
    for a, b in itertools.pairwise(places):
        factories.connect(session, a, b)
    school_run = factories.make_category(
        session, slug="school-run", name="Accompagnamento a scuola", icon="school",
        translations={"en": "School run", "ar": "المرافقة إلى المدرسة",
                      "ro": "Însoțire la școală"})
    homework = factories.make_category(
        session, slug="homework", name="Aiuto compiti", icon="homework",
        translations={"en": "Homework help", "ar": "المساعدة في الواجبات",
                      "ro": "Ajutor la teme"})
    skills = [
        factories.make_skill(session, slug="accompany-children", name="Accompagnare bambini",
                             category=school_run,
                             translations={"en": "Accompanying children"}),
        factories.make_skill(session, slug="driving", name="Guida (patente B)",
                             category=school_run, translations={"en": "Driving"}),
        factories.make_skill(session, slug="maths", name="Matematica", category=homework,
                             translations={"en": "Maths"}),
    ]
    # What a request of each kind asks for unless the family changes it.
    school_run.default_skills = [skills[0]]
    homework.default_skills = [skills[2]]
    facilitator = factories.make_user(session, email=FACILITATOR_EMAIL, name="Giulia Rossi",
                                      role="facilitator", locale="it")
    return {"neighbourhoods": [p.name for p in places], "categories": ["school-run", "homework"],
            "skills": [s.slug for s in skills], "facilitator": facilitator.email}


def set_the_scene(server: LiveServer, mother: steps.Person = steps.MOTHER,
                  volunteer: steps.Person = steps.VOLUNTEER) -> None:
    """The mother's request and the volunteer's offer, as their journeys leave them."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == mother.neighbourhood)).one()
        category = session.scalars(select(Category).where(
            Category.slug == steps.SCHOOL_RUN.category)).one()
        skills = list(session.scalars(select(Skill).where(
            Skill.slug.in_(steps.SCHOOL_RUN.skills))))

        def household(person: steps.Person) -> Household:
            user = factories.make_user(session, email=person.email, name=person.name,
                                       locale=person.locale)
            return factories.make_household(session, user=user, neighbourhood=place,
                                            name=person.family,
                                            languages=list(person.languages))

        def minutes(hhmm: str) -> int:
            hours, mins = hhmm.split(":")
            return int(hours) * 60 + int(mins)

        need, offer = steps.SCHOOL_RUN, steps.MORNING_HELP
        factories.make_need(
            session, household=household(mother), category=category, skills=skills,
            title=need.title, ends_on=need.ends_on, languages=list(mother.languages),
            slots=[NeedSlot(weekday=d, start_minute=minutes(need.start),
                            end_minute=minutes(need.end)) for d in need.weekdays])
        factories.make_offer(
            session, household=household(volunteer), skills=skills, title=offer.title,
            ends_on=offer.ends_on, languages=list(volunteer.languages),
            slots=[OfferSlot(weekday=d, start_minute=minutes(offer.start),
                             end_minute=minutes(offer.end)) for d in offer.weekdays])
        session.commit()




def add_demo_catalogue(server: LiveServer) -> None:
    """Every kind of help and skill of the demo (thirteen kinds): the form at its real size."""
    from mutuo_aiuto.services import demo

    with server.app_context():
        demo.seed_catalogue(db.session, demo.DemoSummary())
        db.session.commit()


def propose(server: LiveServer, score: int = 50) -> None:
    """What a matcher run leaves: the volunteer's offer proposed for the mother's request.

    For the pages after the run, tested apart from the matcher itself.
    """
    with server.app_context():
        session = db.session
        need = session.scalars(select(Need)).one()
        offer = session.scalars(select(Offer)).one()
        run = MatchingRun(kind="manual")
        session.add(run)
        session.add(Proposal(run=run, need=need, offer=offer, rank=1, score=score, reasons=[]))
        need.status = "proposed"
        session.commit()


def accepted_pairing(server: LiveServer, mother: steps.Person, volunteer: steps.Person,
                     starts_on: Any, phone: str) -> str:
    """The mother's request and the volunteer's offer, paired by a facilitator and accepted
    by the volunteer (who starts on ``starts_on``): the public id of the running pairing."""
    from mutuo_aiuto.models import Match
    from mutuo_aiuto.models.types import utcnow

    set_the_scene(server, mother, volunteer)
    with server.app_context():
        session = db.session
        need = session.scalars(select(Need)).one()
        offer = session.scalars(select(Offer)).one()
        offer.household.phone = phone
        need.status = "active"
        match = Match(need=need, offer=offer, status="active", score=50,
                      accepted_at=utcnow(), started_on=starts_on)
        session.add(match)
        session.commit()
        return match.public_id
