"""The Perugia demo: load the data files of ``mutuo_aiuto/demo_data`` through the services.

``seed_demo`` fills an empty database with about fifty households around the
Fontivegge station, their requests and offers, one facilitator and one
administrator. The data are JSON files shipped with the package (places,
catalogue, people, posts, pairings); this module only reads them and calls the
services a person would use (``save_household``, ``post_need``, ``pause_offer``,
``record_vetting`` …), so the demo obeys the same rules as real data. It is
deterministic (``random.Random(2026)``, dates relative to ``today``) and
idempotent: reference data is found by slug, accounts by email, and a second
run adds nothing.

Accounts are written here, with one password hash for all (argon2 is slow on
purpose), as ``create-user`` would; so is each past pairing's match row (see
``_Seeder.pairing`` for why), while its request, offer, closing and ratings go
through the services at their moments in the past.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    COMES_FOR_DEFAULT,
    FACILITATOR,
    MEMBER,
    Category,
    FollowUp,
    Household,
    Match,
    MatchStatus,
    NeedStatus,
    Neighbourhood,
    OfferStatus,
    Skill,
    User,
)
from mutuo_aiuto.services import (
    catalogue,
    households,
    needs,
    offers,
    outcomes,
    places,
    vetting,
)
from mutuo_aiuto.services.demo_esf import belonging_answer, follow_up_days, person_answers
from mutuo_aiuto.services.demo_groups import seed_groups
from mutuo_aiuto.services.lifecycle import move_need, move_offer
from mutuo_aiuto.services.passwords import hash_password
from mutuo_aiuto.services.slots import DatedRow, WeeklyRow, input_time, parse_time

DEMO_PASSWORD = "mutuo-aiuto-demo"  # published in the README  # nosec B105
DEMO_DOMAIN = "demo.mutuoaiuto.example"
SEED = 2026
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def load(name: str) -> dict[str, Any]:
    """One data file of ``mutuo_aiuto/demo_data``."""
    text = resources.files("mutuo_aiuto").joinpath("demo_data", f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    who: str
    password: str = DEMO_PASSWORD


# The accounts to try the service with; every other demo household has an
# unguessable address at DEMO_DOMAIN and the same password.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = tuple(
    DemoAccount(a["email"], a["role"], a["who"]) for a in load("people")["accounts"])
PAST: tuple[dict[str, Any], ...] = tuple(load("pairings")["past"])
RUNNING: tuple[dict[str, Any], ...] = tuple(load("pairings")["running"])


@dataclass
class DemoSummary:
    """What one run added (zero everywhere on a second run) and the accounts to try."""

    neighbourhoods: int = 0
    adjacencies: int = 0
    categories: int = 0
    skills: int = 0
    users: int = 0
    households: int = 0
    needs: int = 0
    offers: int = 0
    vettings: int = 0
    past_pairings: int = 0
    running_pairings: int = 0
    associations: int = 0
    activities: int = 0
    group_meetings: int = 0
    follow_ups_done: int = 0
    belonging_answers: int = 0
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS

    @property
    def added(self) -> int:
        return (self.neighbourhoods + self.adjacencies + self.categories + self.skills
                + self.users + self.households + self.needs + self.offers + self.vettings
                + self.past_pairings + self.running_pairings + self.associations
                + self.activities + self.group_meetings)


# ---- times ---------------------------------------------------------------------------


def next_weekday(today: date, weekday: int, weeks: int = 0) -> date:
    """The first such weekday strictly after today, ``weeks`` weeks later."""
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead + 7 * weeks)


def _shift(hhmm: str, minutes: int) -> str:
    return input_time(parse_time(hhmm) + minutes)


def weekly_rows(seed: dict[str, Any], widen: int = 0) -> list[WeeklyRow]:
    """The seed's weekly rows as the form sends them (days as 0 = Monday), each
    ``widen`` minutes longer at both ends."""
    return [WeeklyRow([DAYS.index(day) for day in row["days"]], _shift(row["from"], -widen),
                      _shift(row["to"], widen)) for row in seed.get("weekly", ())]


def dated_rows(seed: dict[str, Any], today: date) -> list[DatedRow]:
    """The seed's one-off dates: a weekday, ``weeks_later`` weeks after the next one."""
    return [DatedRow(next_weekday(today, DAYS.index(row["day"]), row["weeks_later"]),
                     row["from"], row["to"]) for row in seed.get("dated", ())]


# ---- reference data ------------------------------------------------------------------


def _by_slug(session: Session, model: type[Any]) -> dict[str, Any]:
    rows: list[Any] = list(session.execute(select(model)).scalars())
    return {row.slug: row for row in rows}


def seed_places(session: Session, summary: DemoSummary) -> dict[str, Neighbourhood]:
    """Create the programme's neighbourhoods and adjacency where missing.

    Rows that exist are left as an administrator may have edited them.
    """
    data = load("places")
    found = _by_slug(session, Neighbourhood)
    for place in data["neighbourhoods"]:
        if place["slug"] not in found:
            found[place["slug"]] = places.save_neighbourhood(session, None, name=place["name"],
                                                             slug=place["slug"])
            summary.neighbourhoods += 1
    for a, b in data["adjacency"]:
        summary.adjacencies += places.connect(session, found[a], found[b])
    return found


def seed_catalogue(session: Session, summary: DemoSummary) -> dict[str, Skill]:
    data = load("catalogue")
    categories = _by_slug(session, Category)
    for position, seed in enumerate(data["categories"]):
        if seed["slug"] not in categories:
            categories[seed["slug"]] = catalogue.create_category(session, catalogue.CategoryData(
                names=seed["names"], slug=seed["slug"], kind=seed["kind"], icon=seed["icon"],
                requires_vetted=seed.get("requires_vetted", False),
                remote=seed.get("remote", False), position=position * 10))
            summary.categories += 1
    skills = _by_slug(session, Skill)
    for position, seed in enumerate(data["skills"]):
        if seed["slug"] not in skills:
            skills[seed["slug"]] = catalogue.create_skill(session, catalogue.SkillData(
                names=seed["names"], slug=seed["slug"], category=seed["category"],
                position=position * 10))
            summary.skills += 1
    # Once the skills exist: what a request of each kind asks for unless the family changes it.
    for seed in data["categories"]:
        category = categories[seed["slug"]]
        if not category.default_skills:
            category.default_skills = [skills[slug] for slug in seed.get("default_skills", ())]
    return skills


def _email_taken(session: Session, email: str) -> bool:
    return bool(session.execute(select(exists().where(User.email == email))).scalar())


def account_email(family: dict[str, Any]) -> str:
    return family.get("email") or f"famiglia.{family['key']}@{DEMO_DOMAIN}"


class _Seeder:
    """One run: the random draws, the password hash (made once) and what was added."""

    def __init__(self, session: Session, today: date, consent_version: str) -> None:
        self.session = session
        self.today = today
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.consent_version = consent_version
        self.rng = random.Random(SEED)  # repeatable demo data  # nosec B311
        self.summary = DemoSummary()
        self._hash: str | None = None
        self.phones: set[str] = set()
        self.facilitator: User | None = None
        # The side each household first took part on, and when: its belonging answers start
        # there and rise (services/demo_esf.py); filled by seed_demo from the pairings' data.
        self.took_part_since: dict[str, tuple[str, date]] = {}

    @property
    def password_hash(self) -> str:
        # argon2 is slow on purpose: hash the one demo password once per run.
        if self._hash is None:
            self._hash = hash_password(DEMO_PASSWORD)
        return self._hash

    def user(self, email: str, name: str, role: str, locale: str = "it") -> User:
        user = User(email=email, name=name, role=role, locale=locale,
                    password_hash=self.password_hash, consent_version=self.consent_version,
                    consent_at=self.now, email_confirmed_at=self.now)
        self.session.add(user)
        self.summary.users += 1
        return user

    def coordinator(self, email: str, name: str) -> User:
        """An association's coordinator: a member who came to help, with no household."""
        user = self.user(email, name, MEMBER)
        user.comes_for = "give"
        return user

    def staff(self) -> None:
        """Create the administrator and the facilitator if missing; keep the facilitator."""
        for person in load("people")["staff"]:
            if not _email_taken(self.session, person["email"]):
                self.user(person["email"], person["name"], person["role"])
        self.session.flush()
        self.facilitator = facilitator(self.session)

    def phone(self) -> str:
        # 555 numbers: clearly made up, in the Italian mobile format.
        while True:
            number = f"+39 3{self.rng.randint(20, 49)} 555 {self.rng.randint(0, 9999):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def household(self, family: dict[str, Any]) -> Household | None:
        # Draw every random value first, so later families get the same ones on any run.
        phone, number = self.phone(), self.rng.randint(1, 140)
        adult_ages = [self.rng.randint(27, 52) for _ in family["adults"]]
        email = account_email(family)
        if _email_taken(self.session, email):
            return None
        user = self.user(email, f"{family['adults'][0]} {family['surname']}", MEMBER,
                         family.get("locale", "it"))
        # The two accounts to try show a family's pages and a helper's; others do both.
        user.comes_for = family.get("comes_for", COMES_FOR_DEFAULT)
        household = households.save_household(
            self.session, user, name=f"Famiglia {family['surname']}",
            neighbourhood=family["place"], languages=family["languages"], phone=phone,
            address=f"{family['street']} {number}, Perugia")
        year = self.today.year
        people = [("adult", name, age) for name, age in zip(family["adults"], adult_ages,
                                                             strict=True)]
        people += [("child", name, age) for name, age in family.get("children", ())]
        people += [("elder", name, age) for name, age in family.get("elders", ())]
        # The funder's questions answered as the family would, the consent (when given)
        # under the notice the demo's accounts agreed to.
        consent = households.ConsentContext(actor=user, now=self.now,
                                            notice_version=self.consent_version)
        for kind, name, age in people:
            households.add_member(self.session, household, kind=kind, this_year=year,
                                  first_name=name, birth_year=year - age, context=consent,
                                  answers=person_answers(load("esf"), family, kind, name, age))
        self.summary.households += 1
        return household

    def ends_on(self) -> date:
        return self.today + timedelta(days=self.rng.randint(30, 180))

    def need(self, seed: dict[str, Any], household: Household | None) -> None:
        ends_on = self.ends_on()
        if household is None:
            return
        data = needs.NeedInput(
            title=seed["title"], category=seed["category"], skills=seed["skills"],
            ends_on=ends_on, weekly=weekly_rows(seed), dated=dated_rows(seed, self.today),
            max_hops=seed.get("max_hops", 1), helpers=seed.get("helpers", 1),
            urgency=seed.get("urgency", 0), description=seed.get("description") or None)
        # A draft first, published at the seeder's hour (post_need would stamp the clock's).
        need = needs.post_need(self.session, household, data, publish=False, today=self.today)
        status = seed.get("status", NeedStatus.OPEN)
        if status != NeedStatus.DRAFT:
            move_need(need, NeedStatus.OPEN, self.now)
        if status == NeedStatus.PAUSED:
            needs.pause_need(self.session, household, need)
        self.summary.needs += 1

    def offer(self, seed: dict[str, Any], household: Household | None) -> None:
        ends_on = self.ends_on()
        if household is None:
            return
        data = offers.OfferInput(
            title=seed["title"], skills=seed["skills"], ends_on=ends_on,
            weekly=weekly_rows(seed), max_hops=seed.get("max_hops", 1),
            capacity=seed.get("capacity", 1), description=seed.get("description") or None)
        offer = offers.post_offer(self.session, household, data, self.today)
        if seed.get("status") == OfferStatus.PAUSED:
            offers.pause_offer(self.session, household, offer)
        self.summary.offers += 1

    def vetting(self, household: Household | None) -> None:
        checked = self.today - timedelta(days=self.rng.randint(10, 120))
        if household is None or self.facilitator is None:
            return
        vetting.record_vetting(self.session, self.facilitator, household, checked,
                               checked + timedelta(days=365), self.today)
        self.summary.vettings += 1

    def pairing(self, seed: dict[str, Any], family: Household | None,
                helper: Household | None, running: bool) -> None:
        """A request, an offer and the match between them, confirmed in the past:
        closed with its hours and ratings, or still under way with a follow-up due.

        The request and the offer are posted, the match closed and rated through
        the services, each at its own moment in the past. The match itself is
        written here: ``pair_by_hand`` and ``accept_match`` check today's vettings
        and commitments (not those of months ago) and tell both sides now, by mail
        and in their inbox, of a pairing made months ago; the follow-up is written
        two days overdue, as a facilitator late for it would find it.
        """
        if family is None or helper is None or self.facilitator is None:
            return
        confirmed = self.now - timedelta(days=30 * seed["months_ago"] + self.rng.randint(0, 20))
        ended = None if running else confirmed + timedelta(weeks=seed["weeks"])
        ends_on = self.ends_on() if ended is None else ended.date()
        opened = confirmed - timedelta(days=self.rng.randint(2, 12))
        need = needs.post_need(self.session, family, needs.NeedInput(
            title=seed["need_title"], category=seed["category"], skills=seed["skills"],
            ends_on=ends_on, weekly=weekly_rows(seed)), publish=False, today=opened.date())
        move_need(need, NeedStatus.OPEN, opened)
        # The helper's hours reach half an hour beyond the family's on each side.
        offer = offers.post_offer(self.session, helper, offers.OfferInput(
            title=seed["offer_title"], skills=seed["skills"], ends_on=ends_on,
            weekly=weekly_rows(seed, widen=30)), opened.date())
        match = Match(need=need, offer=offer, status=MatchStatus.ACTIVE, confirmed_at=confirmed,
                      confirmed_by_id=self.facilitator.id,
                      respond_by=confirmed + timedelta(days=3),
                      accepted_at=confirmed + timedelta(days=1),
                      started_on=(confirmed + timedelta(days=2)).date())
        self.session.add(match)
        move_need(need, NeedStatus.MATCHED, confirmed)
        move_need(need, NeedStatus.ACTIVE, match.accepted_at)
        move_offer(offer, OfferStatus.FULL)
        self.session.flush()
        # The check-ins already done, each with both sides' belonging answers when asked;
        # a running pairing's next one is due two days ago (written below), so its last
        # done one is three weeks or more before that.
        self.follow_ups(seed, match, ended.date() if ended else self.today - timedelta(days=23))
        if ended is None:  # still running
            self.session.add(FollowUp(match=match, due_on=self.today - timedelta(days=2)))
            self.summary.running_pairings += 1
            return
        outcomes.close_match(self.session, self.facilitator, match, seed["outcome"],
                             seed["hours"], now=ended)
        if offer.status == OfferStatus.OPEN:  # its end date has passed: the nightly expiry's step
            move_offer(offer, OfferStatus.EXPIRED)
        for side, rating in zip((family, helper), seed["ratings"], strict=True):
            outcomes.give_feedback(self.session, side.user, match, rating, None)
        self.summary.past_pairings += 1


    def follow_ups(self, seed: dict[str, Any], match: Match, before: date) -> None:
        """The follow-ups a facilitator did from the pairing's start until ``before``."""
        config = load("esf")["belonging"]
        assert match.started_on is not None and self.facilitator is not None  # set above
        for day in follow_up_days(match.started_on, before):
            answers = {side: belonging_answer(config, seed[side],
                                              *self.took_part_since[seed[side]], day)
                       for side in ("family", "helper")}
            self.session.add(FollowUp(
                match=match, due_on=day, done_at=datetime.combine(day, time(10, 0), tzinfo=UTC),
                done_by_id=self.facilitator.id, outcome="going_well",
                family_belonging=answers["family"], helper_belonging=answers["helper"]))
            self.summary.follow_ups_done += 1
            self.summary.belonging_answers += sum(a is not None for a in answers.values())


def facilitator(session: Session) -> User | None:
    """The demo's facilitator (who confirmed the demo's pairings), if present."""
    email = next(p["email"] for p in load("people")["staff"] if p["role"] == FACILITATOR)
    return session.execute(select(User).filter_by(email=email)).scalar_one_or_none()


def took_part_since(today: date) -> dict[str, tuple[str, date]]:
    """Each household's first pairing (roughly: months ago × 30 days) and its side in it,
    by family key."""
    since: dict[str, tuple[str, date]] = {}
    for seed in sorted((*PAST, *RUNNING), key=lambda s: -s["months_ago"]):
        start = today - timedelta(days=30 * seed["months_ago"])
        for side in ("family", "helper"):
            since.setdefault(seed[side], (side, start))
    return since


def has_users(session: Session) -> bool:
    """Whether any account exists (``seed-demo --if-empty`` then does nothing)."""
    return bool(session.execute(select(exists().where(User.id.is_not(None)))).scalar())


def seed_demo(session: Session, today: date, consent_version: str = "2026-11") -> DemoSummary:
    """Add whatever of the demo data is missing; never commits.

    ``consent_version`` is recorded as the privacy notice the demo accounts accepted.
    """
    seeder = _Seeder(session, today, consent_version)
    seed_places(session, seeder.summary)
    seed_catalogue(session, seeder.summary)
    seeder.staff()
    people, posts = load("people"), load("posts")
    found = {family["key"]: seeder.household(family) for family in people["families"]}
    session.flush()
    for need in posts["needs"]:
        seeder.need(need, found[need["family"]])
    for offer in posts["offers"]:
        seeder.offer(offer, found[offer["family"]])
    for key in people["vetted"]:
        seeder.vetting(found[key])
    seeder.took_part_since = took_part_since(today)
    for running, pairings in ((False, PAST), (True, RUNNING)):
        for seed in pairings:
            seeder.pairing(seed, found[seed["family"]], found[seed["helper"]], running)
    session.flush()
    groups = seed_groups(session, load("groups"), today, _all_households(session, people),
                         seeder.facilitator, seeder.coordinator)
    seeder.summary.associations, seeder.summary.activities = (groups.associations,
                                                              groups.activities)
    seeder.summary.group_meetings = groups.meetings
    return seeder.summary


def _all_households(session: Session, people: dict[str, Any]) -> dict[str, Household | None]:
    """Every demo family's household by key, those an earlier run made included."""
    emails = {account_email(family): family["key"] for family in people["families"]}
    rows = session.execute(select(User.email, Household).join(
        Household, Household.user_id == User.id).where(User.email.in_(list(emails))))
    # The query asked for these addresses only: none is NULL.
    return {emails[email]: household for email, household in rows if email is not None}
