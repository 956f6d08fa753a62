"""The Perugia demo data: what it holds, that it is idempotent and that needs fit offers."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    ADMIN,
    FACILITATOR,
    Category,
    FollowUp,
    Household,
    Match,
    Need,
    Neighbourhood,
    Offer,
    Skill,
    User,
    Vetting,
    neighbourhood_adjacency,
)
from mutuo_aiuto.services import demo, hubtime, places
from mutuo_aiuto.services.passwords import verify_password

TODAY = date(2026, 11, 26)  # a Thursday
PROGRAMME = {"fontivegge", "madonna-alta", "zona-cortonese", "ponte-della-pietra", "pallotta",
             "filosofi", "fonti-coperte"}
MODELS = (Neighbourhood, neighbourhood_adjacency, Category, Skill, User, Household, Need, Offer,
          Vetting)


def count(session, model, *where) -> int:
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)
    return session.execute(query).scalar()


def counts(session) -> dict[str, int]:
    return {getattr(model, "__name__", str(model)): count(session, model) for model in MODELS}


def test_demo_holds_the_programme(session):
    summary = demo.seed_demo(session, TODAY)
    session.commit()
    slugs = set(session.execute(select(Neighbourhood.slug)).scalars())
    assert slugs == PROGRAMME
    assert count(session, Household) >= 40
    assert count(session, Need) >= 25
    assert count(session, Offer) >= 25
    assert count(session, User, User.role == FACILITATOR) == 1
    assert count(session, User, User.role == ADMIN) == 1
    assert summary.households == count(session, Household)
    assert (summary.needs + summary.past_pairings + summary.running_pairings
            == count(session, Need))
    for account in demo.DEMO_ACCOUNTS:
        user = session.execute(select(User).filter_by(email=account.email)).scalar_one()
        assert user.role == account.role
    # Categories of the programme, with the rules the matcher relies on.
    by_slug = {c.slug: c for c in session.execute(select(Category)).scalars()}
    assert {slug for slug, c in by_slug.items() if c.requires_vetted} == {
        "childcare", "school-run", "elderly-care", "mediation"}
    assert by_slug["listening"].remote
    assert all(c.translations.get("en") for c in by_slug.values())


def test_demo_graph_is_connected(session):
    demo.seed_demo(session, TODAY)
    distances = places.hop_distances(session)
    assert len(distances) == 7
    assert all(len(reach) == 7 for reach in distances.values())


def test_one_password_for_every_demo_account(session):
    demo.seed_demo(session, TODAY)
    hashes = set(session.execute(select(User.password_hash)).scalars())
    assert len(hashes) == 1
    assert verify_password(hashes.pop(), demo.DEMO_PASSWORD)


def test_household_accounts_have_unguessable_addresses(session):
    demo.seed_demo(session, TODAY)
    shown = {account.email for account in demo.DEMO_ACCOUNTS}
    emails = list(session.execute(select(User.email)).scalars())
    assert len(emails) == len(set(emails))
    others = [email for email in emails if email not in shown]
    assert others and all(email.endswith("@" + demo.DEMO_DOMAIN) for email in others)
    phones = [h.phone for h in session.execute(select(Household)).scalars()]
    assert len(set(phones)) == len(phones)
    assert all(phone.startswith("+393") and phone[6:9] == "555" for phone in phones)  # E.164


def test_second_run_adds_nothing(session):
    demo.seed_demo(session, TODAY)
    session.commit()
    before = counts(session)
    summary = demo.seed_demo(session, TODAY + timedelta(days=3))
    session.commit()
    assert summary.added == 0
    assert counts(session) == before


def test_existing_reference_rows_are_left_as_edited(session):
    demo.seed_demo(session, TODAY)
    place = session.execute(select(Neighbourhood).filter_by(slug="fontivegge")).scalar_one()
    place.name = "Fontivegge – Stazione"
    session.commit()
    demo.seed_demo(session, TODAY)
    assert place.name == "Fontivegge – Stazione"


def test_same_day_gives_the_same_data(app, session):
    def snapshot():
        # Sorted here on everything compared: PostgreSQL keeps no order among equal titles.
        households = session.execute(select(Household)).scalars()
        needs = session.execute(select(Need)).scalars()
        return (sorted(((h.name, h.phone, h.address, sorted(m.birth_year or 0 for m in h.members))
                        for h in households), key=repr),
                sorted(((n.title, n.ends_on, sorted(((s.weekday, s.on_date, s.start_minute)
                                                     for s in n.slots), key=repr))
                        for n in needs), key=repr))

    demo.seed_demo(session, TODAY)
    session.commit()
    first = snapshot()
    session.remove()
    db.drop_all()
    db.create_all()
    demo.seed_demo(session, TODAY)
    session.commit()
    assert snapshot() == first


def test_statuses_dates_and_helpers_are_a_realistic_mix(session):
    demo.seed_demo(session, TODAY)
    # Today's requests and offers (the past pairings' are closed and expired).
    needs = list(session.execute(select(Need).where(Need.status != "closed")).scalars())
    statuses = Counter(need.status for need in needs)
    assert statuses["open"] > len(needs) / 2
    assert statuses["draft"] >= 1 and statuses["paused"] >= 1
    assert any(need.helpers == 2 for need in needs)
    assert {need.urgency for need in needs} >= {0, 1, 2, 3}
    assert all(need.opened_at is not None for need in needs if need.status != "draft")
    offers = list(session.execute(select(Offer).where(Offer.status != "expired")).scalars())
    assert Counter(offer.status for offer in offers)["paused"] >= 1
    for row in needs + offers:
        assert TODAY + timedelta(days=30) <= row.ends_on <= TODAY + timedelta(days=180)
    dated = [slot for need in needs for slot in need.slots if slot.on_date]
    assert dated
    assert all(TODAY < slot.on_date <= slot.need.ends_on for slot in dated)
    # A child's birth year follows from its age today.
    nadia = session.execute(
        select(User).filter_by(email="famiglia@mutuoaiuto.example")).scalar_one()
    assert sorted(m.birth_year for m in nadia.household.members if m.kind == "child") == [
        2016, 2019]


def fits(need: Need, offer: Offer, distances: dict[int, dict[int, int]], vetted: set[int]) -> bool:
    """Rules 1–6 of matching-problem.md, written out plainly."""
    windows = [(slot.weekday, slot.start_minute, slot.end_minute) for slot in offer.slots]
    hops = distances[need.neighbourhood_id].get(offer.neighbourhood_id)
    return (need.household_id != offer.household_id
            and {s.id for s in need.skills} <= {s.id for s in offer.skills}
            and all(any(day == slot.day and start <= slot.start_minute
                        and slot.end_minute <= end for day, start, end in windows)
                    for slot in need.slots)
            and (need.remote or (hops is not None
                                 and hops <= min(need.max_hops, offer.max_hops)))
            and (not need.languages or not offer.languages
                 or bool(set(need.languages) & set(offer.languages)))
            and (not need.requires_vetted or offer.household_id in vetted))


def test_several_needs_genuinely_fit_several_offers(session):
    demo.seed_demo(session, TODAY)
    distances = places.hop_distances(session)
    vetted = set(session.execute(select(Vetting.household_id)).scalars())
    needs = session.execute(select(Need).filter_by(status="open")).scalars().all()
    offers = session.execute(select(Offer).filter_by(status="open")).scalars().all()
    fitting = {need.id: [o for o in offers if fits(need, o, distances, vetted)] for need in needs}
    with_one = [need for need, found in fitting.items() if found]
    with_several = [need for need, found in fitting.items() if len(found) >= 2]
    assert len(with_one) >= 20
    assert len(with_several) >= 8
    # …and some fit none, so the facilitator sees why a need waits.
    assert len(with_one) < len(needs)
    nadia_school_run = next(n for n in needs if n.title.startswith("Accompagnare Yasmine"))
    assert len(fitting[nadia_school_run.id]) >= 2


def test_demo_categories_and_skills_are_named_in_every_language(session):
    from sqlalchemy import select

    from mutuo_aiuto.i18n import LANGUAGES
    from mutuo_aiuto.models import Category, Skill

    demo.seed_demo(session, date(2026, 11, 26))
    for row in [*session.scalars(select(Category)), *session.scalars(select(Skill))]:
        missing = {code for code in LANGUAGES if code != "it" and not row.translations.get(code)}
        assert not missing, (row.slug, missing)


def test_past_and_running_pairings_give_the_hub_a_history(session):
    from mutuo_aiuto.services import impact

    summary = demo.seed_demo(session, TODAY)
    session.commit()
    closed = list(session.execute(select(Match).where(Match.status == "closed")).scalars())
    assert len(closed) == summary.past_pairings == len(demo.PAST)
    assert all(m.hours and m.closed_at and m.family_rating and m.helper_rating for m in closed)
    for match in closed:  # each pairing kept the rules when it was confirmed
        assert {s.id for s in match.need.skills} <= {s.id for s in match.offer.skills}
        assert match.need.household_id != match.offer.household_id
    running = list(session.execute(select(Match).where(Match.status == "active")).scalars())
    assert len(running) == summary.running_pairings == len(demo.RUNNING)
    for match in running:  # each with a follow-up the facilitator is late for
        [due] = session.execute(select(FollowUp).filter_by(match_id=match.id, done_at=None)
                                ).scalars()
        assert due.done_at is None and due.due_on < TODAY
        assert (match.need.status, match.offer.status) == ("active", "full")
    figures = impact.impact(session, impact.default_period(TODAY), TODAY, hubtime.clock())
    assert figures.total.matches == len(closed) + len(running)
    assert figures.total.hours == sum(m.hours for m in closed)
    assert figures.total.cross_ties >= 3
    assert figures.reciprocal >= 2  # families that both gave and received
    assert len({month for month, cell in figures.by_month if cell.matches}) >= 6


def test_the_demo_people_answer_the_funders_questions(session):
    """Issue 14: shapes for the ESF+ figures — most people answered, every kind of answer
    seen, the special-category answers only with a consent, young children not asked
    about work."""
    from mutuo_aiuto.models import Member
    from mutuo_aiuto.services import esf

    demo.seed_demo(session, TODAY)
    session.commit()
    members = list(session.scalars(select(Member)))
    answered = [m for m in members if m.gender is not None]
    assert len(answered) >= 0.85 * len(members)
    assert {m.gender for m in answered} == {"woman", "man", "non_binary", "prefer_not"}
    assert Counter(m.gender for m in answered)["woman"] > len(answered) / 3
    assert {m.citizenship for m in answered} >= {"italian", "other_eu", "third_country"}
    assert {m.employment for m in members} >= {"employed", "unemployed",
                                               "long_term_unemployed", "inactive"}
    assert {m.education for m in members} >= {"isced_0_2", "isced_3_4", "isced_5_8"}
    assert all(m.employment is None for m in members
               if m.kind == "child" and esf.age_in_year(m.birth_year, TODAY) < 16)
    bands = Counter(esf.age_band(m.birth_year, TODAY) for m in members)
    assert bands.keys() >= {"under_18", "30_54", "65_plus"}
    consented = [m for m in members if m.special_consent_at is not None]
    assert 0.15 * len(members) < len(consented) < 0.6 * len(members)
    assert any(m.disability == "yes" for m in consented)
    assert all(m.disability is None and m.minority is None
               for m in members if m.special_consent_at is None)
    # The demo's families are those of the README: Nadia's answers are fixed by her name.
    nadia = session.scalars(select(Member).filter_by(first_name="Nadia")).one()
    assert (nadia.gender, nadia.foreign_background) == ("woman", "yes")


def test_the_demo_follow_ups_give_belonging_before_and_after(session):
    from mutuo_aiuto.services import belonging

    summary = demo.seed_demo(session, TODAY)
    session.commit()
    done = count(session, FollowUp, FollowUp.done_at.is_not(None))
    assert done == summary.follow_ups_done >= 20
    assert len(belonging.answers(session)) == summary.belonging_answers
    assert summary.belonging_answers >= 1.5 * done  # both sides, mostly asked
    changes = belonging.before_after(session)
    assert len(changes) >= 10
    result = belonging.summarise(changes)
    # Taking part helps most: more households move up than down, none leaves the scale.
    assert result.improved > result.worse and result.mean_change > 0
    assert all(1 <= c.first <= 5 and 1 <= c.latest <= 5 for c in changes)
    assert belonging.satisfaction(session).family_ratings == len(demo.PAST)
    # A second run adds nothing.
    again = demo.seed_demo(session, TODAY)
    assert again.follow_ups_done == 0
