"""The participant-level export for the programme's managing authority (ESF+).

One row per person of every household that took part in the span: pseudonymous
ids (never a name or a contact), neighbourhood, the day they joined, and the
ESF+ answers; disability and minority only where the separate consent for them
is recorded. Administrators only, with a fresh login (the web layer asks for it),
and every download goes to the audit trail.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from mutuo_aiuto.models import Household, Member, User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.figures.exports import plain
from mutuo_aiuto.services.figures.loading import load
from mutuo_aiuto.services.figures.participants import NOT_RECORDED, age_band, entries
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.hubtime import HubClock

COLUMNS = ("participant", "household", "neighbourhood", "entered_on", "gender", "birth_year",
           "age_band", "employment", "education", "citizenship", "foreign_background",
           "disability", "minority")


def _special(member: Any, field: str) -> str | None:
    """A special-category answer, only with its separate consent recorded."""
    if getattr(member, "special_consent_at", None) is None:
        return None
    value = getattr(member, field, None)
    return value if isinstance(value, str) else None


def _row(member: Member | None, household: Household, place: str | None,
         day: date) -> list[Any]:
    year = member.birth_year if member is not None else None
    return [member.public_id if member is not None else None, household.public_id, place,
            day.isoformat(), getattr(member, "gender", None), year,
            age_band(year, day) or NOT_RECORDED,
            *(getattr(member, f, None) for f in ("employment", "education", "citizenship",
                                                 "foreign_background")),
            _special(member, "disability"), _special(member, "minority")]


def participant_rows(session: Session, actor: User, clock: HubClock,
                     span: ReportPeriod) -> list[list[Any]]:
    """Every participant who joined in ``span``, audited as downloaded by ``actor``."""
    policy.require_admin(actor)
    rows = load(session, span.end, clock)
    joined = {h: day for h, day in entries(rows).items() if span.contains(day)}
    found: list[list[Any]] = []
    homes = session.scalars(select(Household).where(Household.id.in_(list(joined)))
                            .options(defer(Household.phone), defer(Household.address),
                                     defer(Household.care_notes),
                                     # The members of all of them in one more query,
                                     # not one a household (1,066 queries at 2,000).
                                     selectinload(Household.members))
                            .order_by(Household.id))
    for household in homes:
        place = rows.homes[household.id].place if household.id in rows.homes else None
        members: list[Member | None] = list(household.members) or [None]
        found += [_row(m, household, place, joined[household.id]) for m in members]
    audit.record(session, actor, audit.PARTICIPANTS_EXPORTED,
                 details={"since": span.start.isoformat(), "until": span.end.isoformat(),
                          "people": len(found)})
    return found


def to_csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([["" if v is None else plain(str(v)) for v in row] for row in rows])
    return out.getvalue()
