"""Matching meets groups (issue 12, item 5): group activities that could help a request.

When a request has no proposal, or its kind of help is better met in a group
(socialising, parenting support, conflict support), the facilitator's pages and
the family's suggest open group activities with places left, by the rules a
pairing follows: within the request's distance in neighbourhood hops, a meeting
time overlapping one of the request's times, a shared language when both state
one; a group for children only to a family with a child of its ages. The
matcher and its contract are untouched: this reads the same rows and
``places.hop_distances``. A constant number of queries for any number of
requests. No Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mutuo_aiuto.models import (
    Activity,
    ActivityKind,
    ActivityMembership,
    ActivitySlot,
    ActivityStatus,
    Category,
    Member,
    MembershipStatus,
    Need,
    NeedSlot,
    NeedStatus,
    Proposal,
    ProposalStatus,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import places

# Kinds of help better met in a group: suggest groups even when a pairing is proposed.
GROUP_KINDS = frozenset({"socialising", "conflict"})
GROUP_CATEGORIES = frozenset({"parenting-support"})
# Which activities fit which kind of help (by the category's slug, else its kind).
FITTING: dict[str, tuple[ActivityKind, ...]] = {
    "homework": (ActivityKind.HOMEWORK_CLUB,),
    "childcare": (ActivityKind.PLAY_GROUP,),
    "play-groups": (ActivityKind.PLAY_GROUP, ActivityKind.OUTING),
    "shared-activities": (ActivityKind.PLAY_GROUP, ActivityKind.LANGUAGE_CAFE,
                          ActivityKind.OUTING, ActivityKind.WORKSHOP),
    "parenting-support": (ActivityKind.PARENTS_CIRCLE, ActivityKind.SELF_HELP),
    "listening": (ActivityKind.PARENTS_CIRCLE, ActivityKind.SELF_HELP),
    "mediation": (ActivityKind.SELF_HELP, ActivityKind.PARENTS_CIRCLE),
    "digital-help": (ActivityKind.WORKSHOP,),
    # By the category's kind, for categories an administrator added.
    "socialising": (ActivityKind.PLAY_GROUP, ActivityKind.LANGUAGE_CAFE,
                    ActivityKind.OUTING, ActivityKind.WORKSHOP),
    "conflict": (ActivityKind.SELF_HELP, ActivityKind.PARENTS_CIRCLE),
    "relational": (ActivityKind.PARENTS_CIRCLE, ActivityKind.SELF_HELP),
}
WAITING = (NeedStatus.OPEN, NeedStatus.PROPOSED)
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    """A group that could help, with what makes it fit, for the reason in plain words."""

    activity: Activity
    neighbourhood: str
    weekday: int | None  # the meeting time that fits the request (None: a dated meeting)
    on_date: date | None
    start_minute: int
    end_minute: int
    languages: tuple[str, ...]  # the languages the request and the group share
    places_left: int
    hops: int

    @property
    def start(self) -> str:
        return format_minutes(self.start_minute)

    @property
    def end(self) -> str:
        return format_minutes(self.end_minute)


def fitting_kinds(category: Category) -> tuple[ActivityKind, ...]:
    return FITTING.get(category.slug) or FITTING.get(category.kind, ())


def better_in_a_group(category: Category) -> bool:
    """Is this kind of help one a group meets well?"""
    return category.kind in GROUP_KINDS or category.slug in GROUP_CATEGORIES


def _overlap(need_slot: NeedSlot, slot: ActivitySlot, today: date) -> bool:
    if need_slot.start_minute >= slot.end_minute or slot.start_minute >= need_slot.end_minute:
        return False
    if need_slot.on_date is not None and need_slot.on_date < today:
        return False
    if slot.on_date is not None:
        if slot.on_date < today:
            return False
        return (need_slot.on_date == slot.on_date if need_slot.on_date is not None
                else need_slot.weekday == slot.on_date.weekday())
    return need_slot.day == slot.weekday


def ages_welcome(activity: Activity, children: Sequence[int | None], year: int) -> bool:
    """A group for children welcomes a family with a child of its ages (by birth year: a
    year's leeway either side of a birthday); a child of unknown age may fit. A group for
    adults (no ages) welcomes anyone."""
    low, high = activity.min_child_age, activity.max_child_age
    if low is None and high is None:
        return True
    for born in children:
        if born is None:
            return True
        oldest, youngest = year - born, year - born - 1
        if (low is None or oldest >= low) and (high is None or youngest <= high):
            return True
    return False


def _fits(need: Need, kinds: tuple[ActivityKind, ...], slots: Sequence[NeedSlot],
          activity: Activity, places_left: int, hops: dict[int, dict[int, int]],
          today: date, children: Sequence[int | None]) -> Suggestion | None:
    if places_left <= 0 or activity.kind not in kinds:
        return None
    if not ages_welcome(activity, children, today.year):
        return None
    # From the activity's neighbourhood: the distances are searched from those alone.
    distance = hops.get(activity.neighbourhood_id, {}).get(need.neighbourhood_id)
    if distance is None or distance > need.max_hops:
        return None
    shared = tuple(code for code in activity.languages if code in (need.languages or []))
    if need.languages and activity.languages and not shared:
        return None
    time = next(((s, n) for s in activity.slots for n in slots if _overlap(n, s, today)), None)
    if time is None:
        return None
    slot = time[0]
    return Suggestion(activity=activity, neighbourhood=activity.neighbourhood.name,
                      weekday=slot.weekday, on_date=slot.on_date,
                      start_minute=slot.start_minute, end_minute=slot.end_minute,
                      languages=shared, places_left=places_left, hops=distance)


def _needs_wanting_groups(session: Session, needs: Sequence[Need],
                          categories: dict[int, Category]) -> list[Need]:
    """The waiting requests with no proposal now, and those better met in a group."""
    ids = [n.id for n in needs]
    proposed = set(session.scalars(select(Proposal.need_id).where(
        Proposal.need_id.in_(ids), Proposal.status == ProposalStatus.PROPOSED)))
    return [n for n in needs
            if n.id not in proposed or better_in_a_group(categories[n.category_id])]


def _open_activities(session: Session, today: date) -> tuple[list[Activity], dict[int, int]]:
    """The open activities with places left, and each one's places left."""
    activities = list(session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN,
                               or_(Activity.ends_on.is_(None), Activity.ends_on >= today))
        .options(selectinload(Activity.slots), joinedload(Activity.neighbourhood, innerjoin=True))
        .order_by(Activity.id)))
    if not activities:
        return [], {}
    joined: dict[int, int] = dict(session.execute(
        select(ActivityMembership.activity_id, func.count())
        .where(ActivityMembership.activity_id.in_([a.id for a in activities]),
               ActivityMembership.status == MembershipStatus.JOINED)
        .group_by(ActivityMembership.activity_id)).all())
    left = {a.id: a.capacity - joined.get(a.id, 0) for a in activities}
    return [a for a in activities if left[a.id] > 0], left


def _in_reach(need: Need, kinds: tuple[ActivityKind, ...], activities: Sequence[Activity],
              hops: dict[int, dict[int, int]]) -> bool:
    """Could any activity fit, by kind, distance and language alone? What ``_fits`` checks
    first, before the request's times and family are read."""
    for activity in activities:
        distance = hops.get(activity.neighbourhood_id, {}).get(need.neighbourhood_id)
        if (activity.kind in kinds and distance is not None and distance <= need.max_hops
                and not (need.languages and activity.languages
                         and not set(need.languages) & set(activity.languages))):
            return True
    return False


def _slots_by_need(session: Session, needs: Sequence[Need]) -> dict[int, list[NeedSlot]]:
    slots: dict[int, list[NeedSlot]] = {}
    for slot in session.scalars(select(NeedSlot).where(
            NeedSlot.need_id.in_([n.id for n in needs])).order_by(NeedSlot.id)):
        slots.setdefault(slot.need_id, []).append(slot)
    return slots


def _families(session: Session, needs: Sequence[Need]) -> tuple[
        set[tuple[int, int]], dict[int, list[int | None]]]:
    """The groups each family is in, waiting for or asked to join (not suggested again),
    and its children's birth years (for groups that welcome some ages)."""
    households = {n.household_id for n in needs}
    already = {(household, activity) for household, activity in session.execute(
        select(ActivityMembership.household_id, ActivityMembership.activity_id)
        .where(ActivityMembership.household_id.in_(households),
               ActivityMembership.status.not_in((MembershipStatus.LEFT,
                                                 MembershipStatus.DECLINED))))}
    children: dict[int, list[int | None]] = {}
    for household_id, born in session.execute(
            select(Member.household_id, Member.birth_year).where(
                Member.household_id.in_(households), Member.kind == "child")):
        children.setdefault(household_id, []).append(born)
    return already, children


def suggestions(session: Session, needs: Iterable[Need], today: date) -> dict[int, list[
        Suggestion]]:
    """For each request (by id) that wants one, up to three fitting groups, the nearest
    and the emptiest first. A constant number of queries whatever the number of needs.

    The requests no open group could fit by kind, distance or language are set aside
    before their times and families are read: on a page of fifty, most are."""
    waiting = [n for n in needs if n.status in WAITING]
    if not waiting:
        return {}
    activities, places_left = _open_activities(session, today)
    if not activities:
        return {}
    categories = {c.id: c for c in session.scalars(select(Category).where(
        Category.id.in_({n.category_id for n in waiting})))}
    kinds = {n.id: fitting_kinds(categories[n.category_id]) for n in waiting}
    # A search from each activity's neighbourhood, not from each of the city's (a few
    # against ninety: most of the unmatched list's time went there).
    hops = places.hop_distances(session, {a.neighbourhood_id for a in activities})
    reachable = [n for n in waiting if _in_reach(n, kinds[n.id], activities, hops)]
    wanting = _needs_wanting_groups(session, reachable, categories) if reachable else []
    if not wanting:
        return {}
    slots = _slots_by_need(session, wanting)
    already, children = _families(session, wanting)
    found: dict[int, list[Suggestion]] = {}
    for need in wanting:
        fitting = [s for a in activities if (need.household_id, a.id) not in already
                   and (s := _fits(need, kinds[need.id], slots.get(need.id, []), a,
                                   places_left[a.id], hops, today,
                                   children.get(need.household_id, [])))]
        fitting.sort(key=lambda s: (s.hops, -s.places_left, s.activity.id))
        if fitting:
            found[need.id] = fitting[:MAX_SUGGESTIONS]
    return found
