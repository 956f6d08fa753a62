"""The impact endpoint's one link to the figures: ``services/impact.py`` as it is today.

Kept apart and thin on purpose: the figures are being rebuilt as long-form rows
(``services/figures/``), and switching the API to them should change this module
only. The rows are those of the impact CSV, with codes in place of labels and
the suppressed cells marked rather than written as "<5".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from mutuo_aiuto.services import impact
from mutuo_aiuto.services.hubtime import HubClock

SUPPRESSED = (impact.FEWER_THAN_5, impact.HIDDEN)


def _value(text: str) -> tuple[float | int | None, bool]:
    """A CSV cell as a number and whether it was suppressed."""
    if text in SUPPRESSED:
        return None, True
    if text == "":
        return None, False
    number = float(text)
    return (int(number) if number.is_integer() else number), False


def rows(session: Session, first: date, last: date, today: date,
         clock: HubClock) -> dict[str, Any]:
    figures = impact.impact(session, impact.Period(first, last), today, clock)
    found = []
    for breakdown, group, measure, text in impact.export_rows(
            figures, lambda category: category.slug, lambda code: code):
        value, suppressed = _value(text)
        found.append({"breakdown": breakdown, "group": group, "measure": measure,
                      "value": value, "suppressed": suppressed})
    return {"period": {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}, "rows": found}
