"""Eighteen months of the Hub's past for the demo, so the impact pages show shapes.

``seed_history`` adds about 150 families of the seven neighbourhoods who came
to the Hub over the past eighteen months, and what happened to their requests:
the programme starts small and grows (fewer requests in August), most requests
find a helper within days — from the same neighbourhood two times in three —
some helpers say no and another is found, some requests are never met and
expire (each wait longer than three days has its reason, as the matcher gives
it), pairings run for weeks with their hours month by month, close with an
outcome and both sides' ratings, and are followed up after a week and, when
they last, again after six weeks, each side answering the belonging question
(rising the longer a household takes part: ``demo_esf.belonging_answer``). A
family helped once often asks the same helper again, and one family in ten also
helps others. Each person answers the funder's (ESF+) questions with the
demo's own weights (``demo_data/esf.json``); nobody's special-category answers
are made up here.

Everything is in the past and closed: the queue, the week and the follow-ups due
stay those of the hand-written demo. Rows go in with bulk ``INSERT``s (the
scale generator's ``bulk_insert``); one random seed, so every run on the same
day makes the same history. The accounts share the demo password at
unguessable addresses, like the demo's own families, and are not listed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, select
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
)
from mutuo_aiuto.models.match import MatchHours
from mutuo_aiuto.models.matching_run import UnmatchedSpell
from mutuo_aiuto.models.need import need_skills
from mutuo_aiuto.models.offer import offer_skills
from mutuo_aiuto.models.place import neighbourhood_adjacency
from mutuo_aiuto.models.types import new_public_id
from mutuo_aiuto.services import demo
from mutuo_aiuto.services.demo_esf import belonging_answer
from mutuo_aiuto.services.passwords import hash_password
from mutuo_aiuto.services.scale_data import FIRST_NAMES, SURNAMES, ScaleSummary, bulk_insert

HISTORY_DOMAIN = "storia." + demo.DEMO_DOMAIN
MONTHS = 18
FAMILIES = 150
SEED = 1818
# Where the families live (Fontivegge, around the station, is where most come from)
# and the languages spoken there besides Italian.
HOMES = {"fontivegge": 34, "madonna-alta": 16, "zona-cortonese": 12, "ponte-della-pietra": 10,
         "pallotta": 10, "filosofi": 9, "fonti-coperte": 9}
LANGUAGES = (("it", 40), ("ar", 18), ("ro", 14), ("uk", 8), ("sq", 8), ("es", 6), ("fr", 4),
             ("en", 2))
# The kinds of help asked for, by skill slug, and how often.
ASKED = (("accompagnamento-scuola", 16), ("baby-sitting", 16), ("aiuto-compiti", 18),
         ("compagnia-anziani", 9), ("spesa-commissioni", 8), ("cucinare", 4), ("ascolto", 8),
         ("aiuto-digitale", 9), ("sostegno-genitoriale", 6), ("mediazione", 3),
         ("gioco-bambini", 3))
OUTCOMES = (("resolved", 62), ("partly", 24), ("not_resolved", 9), ("stopped", 5))
# Why a request waited or was never met, as the matcher says it (``services.reasons``).
REASONS = (("no_time", 35), ("too_far", 20), ("all_full", 13), ("language", 12),
           ("not_vetted", 10), ("no_skill", 5), ("taken", 5))
OUTCOME_NAMES = tuple(name for name, _ in OUTCOMES)
OUTCOME_WEIGHTS = tuple(weight for _, weight in OUTCOMES)
# The funder's questions as columns of household_members (every bulk row names them all).
ESF_COLUMNS = ("gender", "employment", "education", "citizenship", "foreign_background")
STARTS = (450, 960, 1020, 1080, 1140)  # 7:30 before school, afternoons, early evening


@dataclass
class HistorySummary:
    """What ``seed_history`` added (nothing on a second run)."""

    households: int = 0
    requests: int = 0
    pairings: int = 0
    declined: int = 0
    unmatched: int = 0
    hours: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def has_history(session: Session) -> bool:
    return bool(session.execute(select(exists().where(
        User.email.like(f"%@{HISTORY_DOMAIN}")))).scalar())


def seed_history(session: Session, today: date, consent_version: str,
                 facilitator: User | None = None) -> HistorySummary:
    """Add the eighteen months of history unless present; never commits.

    Needs the demo's neighbourhoods and catalogue (``demo.seed_demo`` first).
    """
    if has_history(session):
        return HistorySummary()
    return _History(session, today, consent_version, facilitator).build()


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first day of each of the ``months`` whole months before ``today``'s."""
    first = today.replace(day=1)
    starts = []
    for back in range(months, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        starts.append(date(year, month + 1, 1))
    return starts


def requests_in(month: date, index: int, months: int) -> int:
    """How many requests came in a month: from 8 to about 34, fewer in August and December."""
    count = 8 + round(26 * index / max(1, months - 1))
    if month.month == 8:
        count //= 2
    elif month.month == 12:
        count = count * 3 // 4
    return count


class _History:
    """One run: the random draws, the catalogue, and the rows to insert."""

    def __init__(self, session: Session, today: date, consent_version: str,
                 facilitator: User | None) -> None:
        self.session, self.today = session, today
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.rng = random.Random(SEED)  # repeatable demo data  # nosec B311
        self.consent_version = consent_version
        self.facilitator_id = facilitator.id if facilitator is not None else None
        self.summary = HistorySummary()
        self.esf = demo.load("esf")
        self.women = [name for name in FIRST_NAMES if name in self.esf["women"]]
        self.men = [name for name in FIRST_NAMES if name not in self.esf["women"]]
        self.rows = ScaleSummary()
        self.places = {n.slug: n.id for n in session.scalars(select(Neighbourhood))}
        self.skills = {s.slug: s for s in session.scalars(select(Skill))}
        self.categories = {c.id: c for c in session.scalars(select(Category))}
        self.next_to: dict[int, set[int]] = {place: set() for place in self.places.values()}
        for a, b in session.execute(select(neighbourhood_adjacency.c.a_id,
                                           neighbourhood_adjacency.c.b_id)):
            self.next_to.setdefault(a, set()).add(b)
            self.next_to.setdefault(b, set()).add(a)

    def build(self) -> HistorySummary:
        families = self.households()
        self.pairings(families)
        self.summary.rows = self.rows.rows
        return self.summary

    # ---- the families ------------------------------------------------------------

    def households(self) -> list[dict[str, Any]]:
        """The families: who joined when, where they live, whether they ask or help."""
        months = month_starts(self.today)
        password = hash_password(demo.DEMO_PASSWORD)  # argon2 once, shared
        users, homes, people = [], [], []
        slugs, weights = zip(*HOMES.items(), strict=True)
        codes, shares = zip(*LANGUAGES, strict=True)
        for _ in range(FAMILIES):
            place = self.places[self.rng.choices(slugs, weights)[0]]
            spoken = self.rng.choices(codes, shares)[0]
            languages = ["it"] if spoken == "it" else [spoken, "it"]
            # More families joined as the programme became known.
            month = months[min(len(months) - 1, int(len(months) * self.rng.random() ** 0.8))]
            joined = datetime.combine(month + timedelta(days=self.rng.randint(0, 27)),
                                      time(10, 0), tzinfo=UTC)
            role = self.rng.choices(("family", "helper", "both"), (50, 38, 12))[0]
            first, surname = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            users.append({"public_id": new_public_id(), "name": f"{first} {surname}",
                          "email": f"famiglia.{new_public_id().lower()}@{HISTORY_DOMAIN}",
                          "password_hash": password, "locale": languages[0], "role": MEMBER,
                          "active": True, "session_version": 1,
                          "comes_for": {"family": "need", "helper": "give"}.get(role, "both"),
                          "consent_version": self.consent_version, "consent_at": joined,
                          "email_confirmed_at": joined, "created_at": joined})
            homes.append({"public_id": new_public_id(), "name": f"Famiglia {surname}",
                          "neighbourhood_id": place, "languages": languages, "version": 1,
                          "created_at": joined, "updated_at": joined})
            people.append({"role": role, "place": place, "joined": joined,
                           "languages": languages})
        user_ids = bulk_insert(self.session, User, users, self.rows, returning=True)
        for row, user_id in zip(homes, user_ids, strict=True):
            row["user_id"] = user_id
        ids = bulk_insert(self.session, Household, homes, self.rows, returning=True)
        members = []
        for household_id, person in zip(ids, people, strict=True):
            person["id"] = household_id
            members += self.members(household_id, person)
        bulk_insert(self.session, Member, members, self.rows)
        self.summary.households = len(ids)
        return people

    def members(self, household_id: int, person: dict[str, Any]) -> list[dict[str, Any]]:
        """The household's people, with their answers to the funder's questions."""
        year, role = self.today.year, person["role"]
        if role == "helper" and self.rng.random() < 0.4:  # retired neighbours help too
            people = [("elder" if self.rng.random() < 0.3 else "adult",
                       year - self.rng.randint(60, 74))]
        else:
            people = [("adult", year - self.rng.randint(19, 58))
                      for _ in range(self.rng.choice((1, 2, 2)))]
            if role != "helper" or self.rng.random() < 0.5:
                people += [("child", year - self.rng.randint(0, 15))
                           for _ in range(self.rng.choice((1, 1, 2, 3)))]
        origin = ("italian" if person["languages"] == ["it"] else
                  "other_eu" if person["languages"][0] in ("ro", "es", "fr") else "third_country")
        rows = []
        for kind, born in people:
            answers = dict.fromkeys(ESF_COLUMNS) | self.answers(kind, year - born, origin)
            names = self.women if answers["gender"] == "woman" else self.men
            rows.append({"public_id": new_public_id(), "household_id": household_id,
                         "kind": kind, "first_name": self.rng.choice(names),
                         "birth_year": born} | answers)
        return rows

    def answers(self, kind: str, age: int, origin: str) -> dict[str, Any]:
        """Plausible ESF+ answers (the demo's own weights); one person in twelve gives none."""
        config = self.esf
        if self.rng.random() < config["skip_all"]:
            return {}
        citizenship = origin
        if origin != "italian" and kind != "child" and self.rng.random() < config["naturalised"]:
            citizenship = "italian"
        answers = {"gender": self.rng.choices(("woman", "man", "non_binary", "prefer_not"),
                                              (52, 44, 1, 3))[0],
                   "citizenship": citizenship,
                   "foreign_background": "no" if origin == "italian" else "yes"}
        if kind != "child" or age >= 16:
            group = "elder" if kind == "elder" or age >= 65 else "adult"
            answers["employment"] = (_weighted(self.rng, config["employment"][group])
                                     if kind != "child" else "inactive")
            answers["education"] = (_weighted(self.rng, config["education"][group])
                                    if kind != "child" else "isced_0_2")
        return answers

    # ---- the requests and their pairings ------------------------------------------

    def pairings(self, families: list[dict[str, Any]]) -> None:
        asking = [f for f in families if f["role"] in ("family", "both")]
        helping = [f for f in families if f["role"] in ("helper", "both")]
        months = month_starts(self.today)
        ties: list[tuple[dict[str, Any], dict[str, Any], Skill]] = []
        plans = []
        for index, month in enumerate(months):
            for _ in range(requests_in(month, index, len(months))):
                opened = datetime.combine(month + timedelta(days=self.rng.randint(0, 27)),
                                          time(self.rng.randint(8, 19), 0), tzinfo=UTC)
                ready = [f for f in asking if f["joined"] <= opened] or asking[:1]
                if ties and self.rng.random() < 0.15:  # the same family asks the same helper
                    family, helper, skill = self.rng.choice(ties)
                else:
                    family = self.rng.choice(ready)
                    skill = self.skills[self.rng.choices([slug for slug, _ in ASKED],
                                                         [weight for _, weight in ASKED])[0]]
                    helper = self.helper_for(family, helping)
                plans.append(self.plan(family, helper, skill, opened))
                if plans[-1]["confirmed"] is not None:
                    ties.append((family, helper, skill))
        self.insert(plans)

    def helper_for(self, family: dict[str, Any], helping: list[dict[str, Any]]) -> dict[str, Any]:
        """Someone from the same neighbourhood two times in three, else from next door."""
        near = [h for h in helping if h["id"] != family["id"]]
        same = [h for h in near if h["place"] == family["place"]]
        beside = [h for h in near if h["place"] in self.next_to.get(family["place"], ())]
        if same and (self.rng.random() < 2 / 3 or not beside):
            return self.rng.choice(same)
        return self.rng.choice(beside or near)

    def plan(self, family: dict[str, Any], helper: dict[str, Any], skill: Skill,
             opened: datetime) -> dict[str, Any]:
        """What happened to one request: never met, or a pairing (after a "no" sometimes)."""
        latest = self.now - timedelta(days=2)
        confirmed = opened + timedelta(days=self.rng.choice((1, 2, 3, 4, 6, 8, 12, 16)))
        met = self.rng.random() < 0.84 and confirmed < latest - timedelta(days=14)
        plan: dict[str, Any] = {"family": family, "helper": helper, "skill": skill,
                                "opened": opened, "confirmed": None, "declined": None}
        if not met:
            plan["expired"] = min(opened + timedelta(days=self.rng.randint(30, 60)), latest)
            return plan
        if self.rng.random() < 0.08:  # the first helper said no; the facilitator found another
            plan["declined"] = confirmed
            confirmed += timedelta(days=self.rng.randint(2, 6))
        weeks = self.rng.choice((3, 4, 6, 8, 8, 10, 12, 16, 20, 26))
        plan.update(confirmed=confirmed, weeks=weeks,
                    ended=min(confirmed + timedelta(weeks=weeks, days=2), latest),
                    day=self.rng.randrange(5), start=self.rng.choice(STARTS),
                    length=self.rng.choice((60, 90, 120)),
                    outcome=self.rng.choices(OUTCOME_NAMES, OUTCOME_WEIGHTS)[0])
        return plan

    def insert(self, plans: list[dict[str, Any]]) -> None:
        needs, offers = [], []
        for plan in plans:
            skill = plan["skill"]
            category = self.categories[skill.category_id]
            met = plan["confirmed"] is not None
            closed = plan["ended"] if met else plan["expired"]
            needs.append({"public_id": new_public_id(), "household_id": plan["family"]["id"],
                          "category_id": category.id, "neighbourhood_id": plan["family"]["place"],
                          "status": "closed" if met else "expired", "title": skill.name,
                          "helpers": 1, "urgency": self.rng.randint(0, 3), "max_hops": 1,
                          "languages": [], "requires_vetted": category.requires_vetted,
                          "remote": category.remote, "ends_on": closed.date(),
                          "created_at": plan["opened"], "updated_at": closed,
                          "opened_at": plan["opened"], "closed_at": closed})
            if met:
                offers.append({"public_id": new_public_id(),
                               "household_id": plan["helper"]["id"],
                               "neighbourhood_id": plan["helper"]["place"], "status": "expired",
                               "title": skill.name, "capacity": 1, "max_hops": 1,
                               "languages": [], "ends_on": plan["ended"].date(), "version": 1,
                               "created_at": plan["opened"], "updated_at": plan["ended"]})
        need_ids = bulk_insert(self.session, Need, needs, self.rows, returning=True)
        offer_ids = iter(bulk_insert(self.session, Offer, offers, self.rows, returning=True))
        self.summary.requests = len(need_ids)
        rows: dict[str, list[dict[str, Any]]] = {"ns": [], "nk": [], "os": [], "ok": [],
                                                 "matches": []}
        met_plans = []
        spells = []
        for plan, need_id in zip(plans, need_ids, strict=True):
            rows["nk"].append({"need_id": need_id, "skill_id": plan["skill"].id})
            spells += self.waits(plan, need_id)
            if plan["confirmed"] is None:
                rows["ns"].append({"need_id": need_id, "weekday": self.rng.randrange(5),
                                   "start_minute": 960, "end_minute": 1080})
                self.summary.unmatched += 1
                continue
            offer_id = next(offer_ids)
            start, end = plan["start"], plan["start"] + plan["length"]
            rows["ns"].append({"need_id": need_id, "weekday": plan["day"],
                               "start_minute": start, "end_minute": end})
            rows["os"].append({"offer_id": offer_id, "weekday": plan["day"],
                               "start_minute": start - 30, "end_minute": end + 30})
            rows["ok"].append({"offer_id": offer_id, "skill_id": plan["skill"].id})
            if plan["declined"] is not None:
                rows["matches"].append(self.declined(plan, need_id, offer_id))
            rows["matches"].append(self.closed(plan, need_id, offer_id))
            met_plans.append(plan)
        bulk_insert(self.session, UnmatchedSpell, spells, self.rows)
        bulk_insert(self.session, NeedSlot, rows["ns"], self.rows)
        bulk_insert(self.session, OfferSlot, rows["os"], self.rows)
        bulk_insert(self.session, need_skills, rows["nk"], self.rows)
        bulk_insert(self.session, offer_skills, rows["ok"], self.rows)
        match_ids = bulk_insert(self.session, Match, rows["matches"], self.rows, returning=True)
        closed = [(row, match_id) for row, match_id in zip(rows["matches"], match_ids,
                                                            strict=True)
                  if row["status"] == "closed"]
        self.summary.pairings = len(closed)
        self.summary.declined = len(match_ids) - len(closed)
        self.hours_and_followups(closed, met_plans)

    def waits(self, plan: dict[str, Any], need_id: int) -> list[dict[str, Any]]:
        """Why a request never met a helper, or waited more than three days for one."""
        first_answer = plan["declined"] or plan["confirmed"]
        since = plan["opened"] + timedelta(hours=6)
        until = plan["expired"] if first_answer is None else first_answer - timedelta(hours=6)
        if until - since < timedelta(days=3):
            return []
        reason = self.rng.choices([code for code, _ in REASONS],
                                  [weight for _, weight in REASONS])[0]
        return [{"need_id": need_id, "reason": reason, "since": since, "until": until}]

    def declined(self, plan: dict[str, Any], need_id: int, offer_id: int) -> dict[str, Any]:
        at = plan["declined"]
        return {"public_id": new_public_id(), "need_id": need_id, "offer_id": offer_id,
                "status": "declined", "confirmed_at": at, "confirmed_by_id": self.facilitator_id,
                "respond_by": at + timedelta(days=2), "closed_at": at + timedelta(days=1),
                "created_at": at}

    def closed(self, plan: dict[str, Any], need_id: int, offer_id: int) -> dict[str, Any]:
        confirmed, outcome = plan["confirmed"], plan["outcome"]
        good = outcome in ("resolved", "partly")
        return {"public_id": new_public_id(), "need_id": need_id, "offer_id": offer_id,
                "status": "closed", "confirmed_at": confirmed,
                "confirmed_by_id": self.facilitator_id,
                "respond_by": confirmed + timedelta(days=2),
                "accepted_at": confirmed + timedelta(hours=self.rng.randint(3, 40)),
                "started_on": (confirmed + timedelta(days=2)).date(), "closed_at": plan["ended"],
                "outcome": outcome, "hours": 0.0,
                "family_rating": self.rng.randint(4, 5) if good else self.rng.randint(2, 4),
                "helper_rating": self.rng.randint(4, 5) if good else self.rng.randint(3, 4),
                "created_at": confirmed}

    def hours_and_followups(self, closed: list[tuple[dict[str, Any], int]],
                            plans: list[dict[str, Any]]) -> None:
        """Hours month by month (their sum is the pairing's), and the follow-ups done."""
        hours, followups, totals = [], [], []
        for (row, match_id), plan in zip(closed, plans, strict=True):
            per_month: dict[date, float] = {}
            day = row["started_on"]
            while day <= plan["ended"].date():
                if day.weekday() == plan["day"] and self.rng.random() < 0.9:  # a week missed
                    month = day.replace(day=1)
                    per_month[month] = per_month.get(month, 0.0) + plan["length"] / 60
                day += timedelta(days=1)
            hours += [{"match_id": match_id, "month": month, "hours": value,
                       "updated_at": plan["ended"]} for month, value in sorted(per_month.items())]
            totals.append({"id": match_id, "hours": sum(per_month.values())})
            self.summary.hours += sum(per_month.values())
            for after in (7, 42):
                due = plan["confirmed"] + timedelta(days=after)
                if due >= plan["ended"]:
                    break
                # Pairings that ended badly showed it at the later check.
                troubled = plan["outcome"] in ("not_resolved", "stopped") and after > 7
                outcome = ("needs_support" if troubled or self.rng.random() < 0.1
                           else "going_well")
                followups.append({"public_id": new_public_id(), "match_id": match_id,
                                  "due_on": due.date(), "outcome": outcome,
                                  "done_at": due + timedelta(days=self.rng.randint(0, 3)),
                                  "done_by_id": self.facilitator_id,
                                  "family_belonging": self.belonging(plan["family"], "family",
                                                                     due.date()),
                                  "helper_belonging": self.belonging(plan["helper"], "helper",
                                                                     due.date())})
        bulk_insert(self.session, MatchHours, hours, self.rows)
        bulk_insert(self.session, FollowUp, followups, self.rows)
        if totals:
            # One executemany: the pairing's hours are the sum of its months.
            matches = cast(Table, Match.__table__)
            self.session.execute(matches.update().where(
                Match.id == bindparam("match_id")).values(hours=bindparam("new_hours")),
                [{"match_id": t["id"], "new_hours": t["hours"]} for t in totals])

    def belonging(self, household: dict[str, Any], side: str, day: date) -> int | None:
        """The household's answer that day: from where it started, rising as it takes part."""
        return belonging_answer(self.esf["belonging"], f"storia-{household['id']}",
                                household.setdefault("first_side", side),
                                household["joined"].date(), day)


def _weighted(rng: random.Random, pairs: list[list[Any]]) -> Any:
    return rng.choices([pair[0] for pair in pairs], [pair[1] for pair in pairs])[0]
