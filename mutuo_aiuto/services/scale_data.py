"""A realistic city as database rows, to measure the service at scale (``flask seed-scale``).

``seed_scale`` adds ``households`` families on top of the demo data: the
matcher benchmark's city (``city_problem.generate``: the families' week,
their languages, vetting, helpers' skills and availability) becomes open
requests and offers, its fixed pairs become pairings under way with a
follow-up, and a year of history is added — pairings confirmed over the past
twelve months and closed with an outcome, hours, ratings and a follow-up done.

Rows go in with bulk ``INSERT``s (one statement per thousand rows), never one
ORM object at a time, and the matcher is not run: the nightly job does that.
Up to 2,000 households live in the programme's seven neighbourhoods around
Fontivegge; above that, in a grid of eighty city neighbourhoods, as in the
matcher's benchmark. Every account has the demo password and an address at
``SCALE_DOMAIN``, so a load test can log in as any of them.
"""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    MEMBER,
    Category,
    FollowUp,
    Household,
    Match,
    Member,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Skill,
    User,
    Vetting,
)
from mutuo_aiuto.models.need import need_skills
from mutuo_aiuto.models.offer import offer_skills
from mutuo_aiuto.models.place import neighbourhood_adjacency
from mutuo_aiuto.models.types import new_public_id
from mutuo_aiuto.services import demo
from mutuo_aiuto.services.city_problem import city_map, generate
from mutuo_aiuto.services.passwords import hash_password

SCALE_DOMAIN = "scale.mutuoaiuto.example"
# Above this many households the city has eighty neighbourhoods, not the Hub's seven.
HUB_MAX = 2000
# The generator's skill names → the demo catalogue's skill slugs (each skill has a category).
SKILL_SLUGS = {
    "school-run": "accompagnamento-scuola", "childcare": "baby-sitting",
    "homework": "aiuto-compiti", "elderly-care": "compagnia-anziani",
    "errands": "spesa-commissioni", "meals": "cucinare", "listening": "ascolto",
    "digital-help": "aiuto-digitale", "parenting-support": "sostegno-genitoriale",
    "mediation": "mediazione", "play-group": "gioco-bambini",
}
HUB_SLUGS = {"cortonese": "zona-cortonese"}
FIRST_NAMES = ("Anna", "Marco", "Fatima", "Elena", "Omar", "Giulia", "Olena", "Blerim",
               "Rosa", "Luca", "Samira", "Ioana", "Grace", "Carlos", "Khadija", "Paolo")
SURNAMES = ("Rossi", "Hassan", "Popescu", "Krasniqi", "Kovalenko", "Quispe", "Bianchi",
            "Benali", "Okafor", "Mendoza", "Ferri", "Ionescu", "Shehu", "Melnyk", "Ricci")
OUTCOMES = (("resolved", 60), ("partly", 25), ("not_resolved", 10), ("stopped", 5))
BATCH = 5000


class ScaleDataExists(RuntimeError):
    """The database already holds scale data: seeding twice would double it."""


@dataclass
class ScaleSummary:
    """Rows added per table, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


def has_scale_data(session: Session) -> bool:
    return bool(session.execute(select(exists().where(
        User.email.like(f"%@{SCALE_DOMAIN}")))).scalar())


def seed_scale(session: Session, households: int, today: date, seed: int = 1,
               consent_version: str = "2026-11") -> ScaleSummary:
    """Add the demo data (if missing) and ``households`` generated families; never commits."""
    if has_scale_data(session):
        raise ScaleDataExists(f"the database already has accounts at {SCALE_DOMAIN}")
    started = clock.perf_counter()
    demo.seed_demo(session, today, consent_version)
    builder = _Builder(session, today, random.Random(seed), consent_version)  # nosec B311
    builder.build(households, seed)
    session.flush()
    builder.summary.seconds = clock.perf_counter() - started
    return builder.summary


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]], summary: ScaleSummary,
          returning: bool = False) -> list[int]:
    """Insert ``rows`` in a few multi-row statements; the new ids in order when asked."""
    table = getattr(model, "__table__", model)
    summary.add(table.name, len(rows))
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        if returning:
            statement = insert(model).returning(model.id, sort_by_parameter_order=True)
            ids += list(session.scalars(statement, chunk))
        elif chunk:
            session.execute(insert(table), chunk)
    return ids


class _Builder:
    """One run: the random draws, the catalogue by slug, and the rows added."""

    def __init__(self, session: Session, today: date, rng: random.Random,
                 consent_version: str) -> None:
        self.session, self.today, self.rng = session, today, rng
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.consent_version = consent_version
        self.summary = ScaleSummary()
        self.skills = {s.slug: s for s in session.scalars(select(Skill))}
        self.categories = {c.id: c for c in session.scalars(select(Category))}

    # ---- the whole city -------------------------------------------------------

    def build(self, households: int, seed: int) -> None:
        city = households > HUB_MAX
        # About half the families ask, a bit fewer give; the rest have only history.
        data = generate(max(1, households // 2), max(1, households * 9 // 20), seed=seed,
                        city=city, fixed_share=0.08)
        places = self.places(city)
        homes = self.home_keys(data, households)
        home_place = self.home_places(data, homes, places)
        ids = self.households(homes, home_place, data)
        self.vettings(data, ids)
        need_ids = self.open_needs(data, ids, places)
        offer_ids = self.open_offers(data, ids, places)
        self.running(data, need_ids, offer_ids)
        self.history(data, ids, home_place, households)

    def places(self, city: bool) -> dict[str, int]:
        """The generator's neighbourhood names → neighbourhood ids (created for a city)."""
        existing = {n.slug: n.id for n in self.session.scalars(select(Neighbourhood))}
        if not city:
            return {name: existing[HUB_SLUGS.get(name, name)]
                    for name in ("fontivegge", "madonna-alta", "cortonese",
                                 "ponte-della-pietra", "pallotta", "filosofi", "fonti-coperte")}
        names, edges, _ = city_map()
        missing = [name for name in names if name not in existing]
        rows = [{"slug": name, "name": _district_name(name), "active": True} for name in missing]
        existing.update(zip(missing, bulk_insert(self.session, Neighbourhood, rows, self.summary,
                                           returning=True), strict=True))
        pairs = {tuple(sorted((existing[a], existing[b]))) for a, b in edges}
        known = {(a, b) for a, b in self.session.execute(
            select(neighbourhood_adjacency.c.a_id, neighbourhood_adjacency.c.b_id))}
        bulk_insert(self.session, neighbourhood_adjacency,
              [{"a_id": a, "b_id": b} for a, b in sorted(pairs - known)], self.summary)
        return {name: existing[name] for name in names}

    @staticmethod
    def home_keys(data: dict[str, Any], households: int) -> list[str]:
        """The problem's households, then families with only history: ``households`` keys."""
        keys = list(dict.fromkeys([n["household"] for n in data["needs"]]
                                  + [o["household"] for o in data["offers"]]))
        keys = keys[:households]
        return keys + [f"p{k}" for k in range(households - len(keys))]

    def home_places(self, data: dict[str, Any], homes: list[str],
                    places: dict[str, int]) -> dict[str, int]:
        where = {post["household"]: places[post["neighbourhood"]]
                 for post in data["needs"] + data["offers"]}
        spread = list(places.values())
        return {key: where.get(key) or self.rng.choice(spread) for key in homes}

    def households(self, homes: list[str], home_place: dict[str, int],
                   data: dict[str, Any]) -> dict[str, int]:
        """Accounts, households and their members; returns household ids by key."""
        languages = {post["household"]: post["languages"]
                     for post in data["offers"] + data["needs"] if post["languages"]}
        password = hash_password(demo.DEMO_PASSWORD)  # argon2 once, shared by every account
        users, homes_rows, members = [], [], []
        for n, key in enumerate(homes):
            first, surname = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            spoken = languages.get(key) or ["it"]
            joined = self.now - timedelta(days=self.rng.randint(30, 720))
            users.append({"public_id": new_public_id(), "email": f"famiglia{n}@{SCALE_DOMAIN}",
                          "password_hash": password, "name": f"{first} {surname}",
                          "locale": spoken[0], "role": MEMBER, "active": True,
                          "session_version": 1, "consent_version": self.consent_version,
                          "consent_at": joined, "email_confirmed_at": joined,
                          "created_at": joined})
            homes_rows.append({"public_id": new_public_id(), "name": f"Famiglia {surname}",
                               "neighbourhood_id": home_place[key], "languages": spoken,
                               "phone": f"+39 3{self.rng.randint(20, 49)} 555 {n % 10000:04d}",
                               "address": f"Via Scala {n % 400 + 1}, Perugia", "version": 1,
                               "created_at": joined, "updated_at": joined})
        user_ids = bulk_insert(self.session, User, users, self.summary, returning=True)
        for row, user_id in zip(homes_rows, user_ids, strict=True):
            row["user_id"] = user_id
        household_ids = bulk_insert(self.session, Household, homes_rows, self.summary,
                                    returning=True)
        year = self.today.year
        for household_id in household_ids:
            people = [("adult", year - self.rng.randint(25, 60))
                      for _ in range(self.rng.choice((1, 2, 2)))]
            people += [("child", year - self.rng.randint(0, 16))
                       for _ in range(self.rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0])]
            if self.rng.random() < 0.1:
                people.append(("elder", year - self.rng.randint(70, 90)))
            members += [{"public_id": new_public_id(), "household_id": household_id,
                         "kind": kind, "first_name": self.rng.choice(FIRST_NAMES),
                         "birth_year": born} for kind, born in people]
        bulk_insert(self.session, Member, members, self.summary)
        return dict(zip(homes, household_ids, strict=True))

    def vettings(self, data: dict[str, Any], ids: dict[str, int]) -> None:
        vetted = sorted({ids[o["household"]] for o in data["offers"] if o["vetted"]})
        rows = []
        for household_id in vetted:
            checked = self.today - timedelta(days=self.rng.randint(10, 300))
            rows.append({"household_id": household_id, "checked_on": checked,
                         "expires_on": checked + timedelta(days=365), "recorded_at": self.now})
        bulk_insert(self.session, Vetting, rows, self.summary)

    # ---- what is open today ---------------------------------------------------

    def open_needs(self, data: dict[str, Any], ids: dict[str, int],
                   places: dict[str, int]) -> dict[str, int]:
        rows, skills, slots = [], [], []
        for need in data["needs"]:
            skill = self.skills[SKILL_SLUGS[need["skills"][0]]]
            category = self.categories[skill.category_id]
            opened = self.now - timedelta(days=self.rng.randint(0, 60),
                                          minutes=self.rng.randint(0, 600))
            rows.append({"public_id": new_public_id(), "household_id": ids[need["household"]],
                         "category_id": category.id,
                         "neighbourhood_id": places[need["neighbourhood"]], "status": "open",
                         "title": skill.name, "helpers": need["helpers"],
                         "urgency": need["urgency"], "max_hops": need["max_hops"],
                         "languages": need["languages"],
                         "requires_vetted": category.requires_vetted,
                         "remote": category.remote, "ends_on": self._ends_on(),
                         "created_at": opened, "updated_at": opened, "opened_at": opened})
        need_ids = bulk_insert(self.session, Need, rows, self.summary, returning=True)
        for need, need_id in zip(data["needs"], need_ids, strict=True):
            skills += [{"need_id": need_id, "skill_id": self.skills[SKILL_SLUGS[name]].id}
                       for name in need["skills"]]
            slots += [self._need_slot(need_id, slot) for slot in need["slots"]]
        bulk_insert(self.session, need_skills, skills, self.summary)
        bulk_insert(self.session, NeedSlot, slots, self.summary)
        return {need["id"]: need_id for need, need_id in zip(data["needs"], need_ids, strict=True)}

    def open_offers(self, data: dict[str, Any], ids: dict[str, int],
                    places: dict[str, int]) -> dict[str, int]:
        rows, skills, slots = [], [], []
        for offer in data["offers"]:
            names = [self.skills[SKILL_SLUGS[name]].name for name in offer["skills"]]
            since = self.now - timedelta(days=self.rng.randint(0, 90))
            rows.append({"public_id": new_public_id(), "household_id": ids[offer["household"]],
                         "neighbourhood_id": places[offer["neighbourhood"]], "status": "open",
                         "title": ", ".join(names)[:120], "capacity": offer["capacity"],
                         "max_hops": offer["max_hops"], "languages": offer["languages"],
                         "ends_on": self._ends_on(), "version": 1, "created_at": since,
                         "updated_at": since})
        offer_ids = bulk_insert(self.session, Offer, rows, self.summary, returning=True)
        for offer, offer_id in zip(data["offers"], offer_ids, strict=True):
            skills += [{"offer_id": offer_id, "skill_id": self.skills[SKILL_SLUGS[name]].id}
                       for name in offer["skills"]]
            slots += [{"offer_id": offer_id, "weekday": slot["day"],
                       "start_minute": _minutes(slot["start"]),
                       "end_minute": _minutes(slot["end"])} for slot in offer["slots"]]
        bulk_insert(self.session, offer_skills, skills, self.summary)
        bulk_insert(self.session, OfferSlot, slots, self.summary)
        return {o["id"]: offer_id for o, offer_id in zip(data["offers"], offer_ids, strict=True)}

    def running(self, data: dict[str, Any], need_ids: dict[str, int],
                offer_ids: dict[str, int]) -> None:
        """The generator's fixed pairs: two in three under way with a follow-up due,
        one in three confirmed these last days and waiting for the helper's answer."""
        helpers = {n["id"]: n["helpers"] for n in data["needs"]}
        capacity = {o["id"]: o["capacity"] for o in data["offers"]}
        served: dict[str, list[str]] = {}
        taken: dict[str, int] = {}
        rows = []
        for pair in data["fixed"]:
            awaiting = self.rng.random() < 1 / 3
            status = "awaiting" if awaiting else "active"
            served.setdefault(pair["need"], []).append(status)
            taken[pair["offer"]] = taken.get(pair["offer"], 0) + 1
            confirmed = self.now - timedelta(days=self.rng.randint(0, 1) if awaiting
                                             else self.rng.randint(5, 120))
            rows.append({"public_id": new_public_id(), "need_id": need_ids[pair["need"]],
                         "offer_id": offer_ids[pair["offer"]], "status": status,
                         "confirmed_at": confirmed, "respond_by": confirmed + timedelta(days=3),
                         "accepted_at": None if awaiting else confirmed + timedelta(days=1),
                         "started_on": None if awaiting else (confirmed + timedelta(days=2)).date(),
                         "created_at": confirmed})
        match_ids = bulk_insert(self.session, Match, rows, self.summary, returning=True)
        bulk_insert(self.session, FollowUp, [
            {"public_id": new_public_id(), "match_id": match_id,
             "due_on": self.today + timedelta(days=self.rng.randint(-7, 28))}
            for match_id, row in zip(match_ids, rows, strict=True)
            if row["status"] == "active"], self.summary)
        # A need with all its helpers is matched (or under way once they all accepted);
        # a full offer takes no more.
        done: dict[str, list[int]] = {"matched": [], "active": []}
        for key, statuses in served.items():
            if len(statuses) >= helpers[key]:
                done["matched" if "awaiting" in statuses else "active"].append(need_ids[key])
        for status, ids in done.items():
            self.session.execute(Need.__table__.update().where(Need.id.in_(ids))
                                 .values(status=status))
        full = [offer_ids[key] for key, count in taken.items() if count >= capacity[key]]
        self.session.execute(Offer.__table__.update().where(Offer.id.in_(full))
                             .values(status="full"))

    # ---- a year of history ----------------------------------------------------

    def history(self, data: dict[str, Any], ids: dict[str, int], home_place: dict[str, int],
                households: int) -> None:
        """Pairings confirmed over the past year and closed, about two for five households."""
        families = sorted({ids[n["household"]] for n in data["needs"]})
        helpers = sorted({ids[o["household"]] for o in data["offers"]})
        place_of = {ids[key]: place for key, place in home_place.items()}
        kinds = sorted(SKILL_SLUGS)
        needs, offers, pairs = [], [], []
        for _ in range(households * 2 // 5):
            family, helper = self.rng.choice(families), self.rng.choice(helpers)
            if family == helper:
                continue
            skill = self.skills[SKILL_SLUGS[self.rng.choice(kinds)]]
            category = self.categories[skill.category_id]
            confirmed = self.now - timedelta(days=self.rng.randint(30, 365))
            weeks = self.rng.randint(2, 16)
            ended = min(confirmed + timedelta(weeks=weeks), self.now - timedelta(days=1))
            day, start = self.rng.randrange(5), self.rng.choice((450, 960, 1020, 1140))
            pairs.append((skill, confirmed, ended, weeks, day, start))
            needs.append({"public_id": new_public_id(), "household_id": family,
                          "category_id": category.id, "neighbourhood_id": place_of[family],
                          "status": "closed", "title": skill.name, "helpers": 1,
                          "urgency": self.rng.randint(0, 3), "max_hops": 2, "languages": [],
                          "requires_vetted": category.requires_vetted,
                          "remote": category.remote, "ends_on": ended.date(),
                          "created_at": confirmed - timedelta(days=self.rng.randint(2, 12)),
                          "updated_at": ended,
                          "opened_at": confirmed - timedelta(days=self.rng.randint(2, 12)),
                          "closed_at": ended})
            offers.append({"public_id": new_public_id(), "household_id": helper,
                           "neighbourhood_id": place_of[helper], "status": "expired",
                           "title": skill.name, "capacity": 1, "max_hops": 2, "languages": [],
                           "ends_on": ended.date(), "version": 1,
                           "created_at": confirmed - timedelta(days=20), "updated_at": ended})
        need_ids = bulk_insert(self.session, Need, needs, self.summary, returning=True)
        offer_ids = bulk_insert(self.session, Offer, offers, self.summary, returning=True)
        outcomes, weights = zip(*OUTCOMES, strict=True)
        matches, rows = [], {"ns": [], "nk": [], "os": [], "ok": []}
        for (skill, confirmed, ended, weeks, day, start), need_id, offer_id in zip(
                pairs, need_ids, offer_ids, strict=True):
            rows["ns"].append({"need_id": need_id, "weekday": day, "start_minute": start,
                               "end_minute": start + 60})
            rows["os"].append({"offer_id": offer_id, "weekday": day,
                               "start_minute": start - 30, "end_minute": start + 90})
            rows["nk"].append({"need_id": need_id, "skill_id": skill.id})
            rows["ok"].append({"offer_id": offer_id, "skill_id": skill.id})
            matches.append({"public_id": new_public_id(), "need_id": need_id,
                            "offer_id": offer_id, "status": "closed", "confirmed_at": confirmed,
                            "respond_by": confirmed + timedelta(days=3),
                            "accepted_at": confirmed + timedelta(days=1),
                            "started_on": (confirmed + timedelta(days=2)).date(),
                            "closed_at": ended,
                            "outcome": self.rng.choices(outcomes, weights)[0],
                            "hours": float(weeks * self.rng.choice((1, 1, 2, 3))),
                            "family_rating": self.rng.randint(3, 5),
                            "helper_rating": self.rng.randint(3, 5), "created_at": confirmed})
        bulk_insert(self.session, NeedSlot, rows["ns"], self.summary)
        bulk_insert(self.session, OfferSlot, rows["os"], self.summary)
        bulk_insert(self.session, need_skills, rows["nk"], self.summary)
        bulk_insert(self.session, offer_skills, rows["ok"], self.summary)
        match_ids = bulk_insert(self.session, Match, matches, self.summary, returning=True)
        bulk_insert(self.session, FollowUp, [
            {"public_id": new_public_id(), "match_id": match_id,
             "due_on": (match["confirmed_at"] + timedelta(days=7)).date(),
             "done_at": match["confirmed_at"] + timedelta(days=8), "outcome": "going_well"}
            for match, match_id in zip(matches, match_ids, strict=True)], self.summary)

    # ---- small helpers --------------------------------------------------------

    def _ends_on(self) -> date:
        return self.today + timedelta(days=self.rng.randint(30, 180))

    def _need_slot(self, need_id: int, slot: dict[str, Any]) -> dict[str, Any]:
        row = {"need_id": need_id, "start_minute": _minutes(slot["start"]),
               "end_minute": _minutes(slot["end"]), "weekday": slot.get("day"),
               "on_date": None}
        if "date" in slot:
            # The generator dates one-off needs from 2026-12-01: move them after today.
            offset = date.fromisoformat(slot["date"]) - date(2026, 12, 1)
            on = self.today + timedelta(days=1) + offset
            row["weekday"], row["on_date"] = None, on
        return row


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _district_name(slug: str) -> str:
    """``q02-05`` → ``Quartiere C6``: a grid reference a person can read."""
    row, col = slug[1:].split("-")
    return f"Quartiere {chr(ord('A') + int(row))}{int(col) + 1}"
