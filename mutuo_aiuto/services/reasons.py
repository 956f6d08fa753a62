"""Why a pairing was proposed, in plain words and in the reader's language.

The matcher explains a score as coded parts (``proximity`` with its hops,
``language`` with the shared languages, …). This module turns them, with the
need and the offer, into the sentences a facilitator reads: "Same
neighbourhood", "Free every Tuesday 16:00–18:00", "Both speak Arabic".
Call it while the reader's language is active (a request, or ``force_locale``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mutuo_aiuto.models import Need, NeedSlot, Offer
from mutuo_aiuto.models.slot import format_minutes

# Urgency as the family chose it on the request form (the same words as its choices):
# never a derived "urgent", which would read as more than the family said.
URGENCY_LABELS = {0: _l("Not urgent"), 1: _l("Within a month"), 2: _l("Within a week"),
                  3: _l("Within days")}
BASE = _l("Starting points of every pairing")
OTHER_POINTS = _l("Other points")
CONTINUITY = _l("Helped this family before")
SAME_PLACE = _l("Same neighbourhood")


@dataclass(frozen=True)
class ReasonLine:
    """One sentence, with the points it adds to the score (None for facts that add none)."""

    text: str
    points: int | None = None


def urgency_label(value: int) -> str:
    """The urgency the family chose, in its own words (0 = not urgent … 3 = within days)."""
    return str(URGENCY_LABELS.get(value, value))


def urgency_sentence(value: int) -> str:
    return str(_("The family chose: %(urgency)s", urgency=urgency_label(value)))


def _locale() -> Locale:
    return get_locale() or Locale.parse("it")


def language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(_locale()) or code
    except (ValueError, TypeError):
        return code


def languages_sentence(codes: Iterable[str]) -> str:
    names = [language_name(code) for code in codes]
    if len(names) == 1:
        return str(_("Both speak %(language)s", language=names[0]))
    return str(_("Both speak %(languages)s",
                 languages=format_list(names, locale=_locale())))


def distance_sentence(hops: int) -> str:
    if hops == 0:
        return str(SAME_PLACE)
    return str(ngettext("One neighbourhood away", "%(num)d neighbourhoods away", hops))


def time_sentence(slot: NeedSlot) -> str:
    """When the helper is free for the need: the need's own slot, which lies in the offer's."""
    hours = f"{format_minutes(slot.start_minute)}–{format_minutes(slot.end_minute)}"
    if slot.on_date is not None:
        return str(_("Free on %(date)s, %(hours)s",
                     date=format_date(slot.on_date, "medium"), hours=hours))
    day = get_day_names("wide", locale=_locale())[slot.day]
    return str(_("Free every %(day)s %(hours)s", day=day, hours=hours))


def _within(slot: NeedSlot, offer: Offer) -> bool:
    return any(free.weekday == slot.day and free.start_minute <= slot.start_minute
               and slot.end_minute <= free.end_minute for free in offer.slots)


def load_sentence(families: int) -> str:
    return str(ngettext("Already helps %(num)d family", "Already helps %(num)d families",
                        families))


def _line(reason: Mapping[str, Any], need: Need, load_weight: int) -> ReasonLine:
    code, points = reason.get("code"), int(reason.get("points") or 0)
    if code == "base":
        return ReasonLine(str(BASE), points)
    if code == "proximity" and reason.get("hops") is not None:
        return ReasonLine(distance_sentence(int(reason["hops"])), points)
    if code == "language" and reason.get("shared"):
        return ReasonLine(languages_sentence(reason["shared"]), points)
    if code == "continuity":
        return ReasonLine(str(CONTINUITY), points)
    if code == "urgency":
        return ReasonLine(urgency_sentence(need.urgency), points)
    if code == "load" and load_weight > 0 and points < 0 and points % load_weight == 0:
        return ReasonLine(load_sentence(-points // load_weight), points)
    # A part without its own words (or weights changed since): its points still count.
    return ReasonLine(str(OTHER_POINTS), points)


def describe(reasons: Iterable[Mapping[str, Any]], need: Need, offer: Offer,
             load_weight: int = 2) -> list[ReasonLine]:
    """The plain-words reasons of a proposal: the times that fit first (worth no points),
    then every part of the score that is worth points, so that the points listed add up
    to the score shown.

    ``load_weight`` is the points a fixed pair costs (to say how many families the
    helper already helps).
    """
    lines = [ReasonLine(time_sentence(slot)) for slot in need.slots if _within(slot, offer)]
    lines += [_line(reason, need, load_weight) for reason in reasons if reason.get("points")]
    return lines


def points_total(lines: Iterable[ReasonLine]) -> int:
    """The sum of the points the lines list: a proposal's score."""
    return sum(line.points or 0 for line in lines)


# How the matcher broke a tie (its rule: the best set of pairings for all requests
# together; between equal scores, a fixed order of the offers, never a preference).
TIE_CHOSEN = _l("Another offer below has the same score: next to it, how the matcher chose.")
TIE_ELSEWHERE = _l("Same score as the matcher's choice. This helper is the matcher's choice "
                   "for another request: the matcher looks for the best pairings for all "
                   "requests together.")
TIE_ORDER = _l("Same score as the matcher's choice. Between equal scores the matcher follows "
               "a fixed order of the offers, not a preference, so the same data always gives "
               "the same choice: you may confirm either.")


def tie_notes(proposals: Iterable[Any], elsewhere: set[int]) -> dict[int, str]:
    """Which proposals of one request tie on score, and how each tie was broken, by id.

    ``proposals`` are the request's waiting ones (rank 1 the matcher's choice);
    ``elsewhere`` the ids of the offers that are the matcher's choice for another
    request. Proposals without a tie get no note.
    """
    proposals = list(proposals)
    chosen = {p.score for p in proposals if p.rank == 1}
    notes: dict[int, str] = {}
    for proposal in proposals:
        if proposal.rank == 1 or proposal.score not in chosen:
            continue
        notes[proposal.id] = str(TIE_ELSEWHERE if proposal.offer_id in elsewhere else TIE_ORDER)
        for top in proposals:
            if top.rank == 1 and top.score == proposal.score:
                notes.setdefault(top.id, str(TIE_CHOSEN))
    return notes


# Why a need has no pairing proposed: the codes of ``matching.diagnose`` and of
# ``matching_runs.TAKEN``, as a facilitator reads them (stored with the run).
UNMATCHED_REASONS = {
    "no_skill": _l("No offer has the skills needed"),
    "no_time": _l("No helper is free at these times"),
    "too_far": _l("Every helper who could do it lives too far away"),
    "language": _l("No helper who could do it shares a language with the family"),
    "not_vetted": _l("No vetted helper could do it"),
    "all_full": _l("Every fitting offer is full or busy at these times"),
    "taken": _l("The fitting offers are proposed for other requests or were turned down"),
}


# A need the matcher has not looked at since it was posted (``proposal_queries.PENDING``).
PENDING_REASON = _l("The matcher has not looked at it yet: the next run will")


def unmatched_reason(code: str, waiting_helpers: int | None = None) -> str:
    """The reason in words; with ``not_vetted`` and helpers who fit but for the Hub's
    check, how many they are."""
    if code == "pending":
        return str(PENDING_REASON)
    if code == "not_vetted" and waiting_helpers:
        return str(ngettext("%(num)d helper could help but is waiting for the Hub's check",
                            "%(num)d helpers could help but are waiting for the Hub's check",
                            waiting_helpers))
    return str(UNMATCHED_REASONS.get(code, code))
