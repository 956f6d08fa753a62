"""The figures as files for the funder: CSV and XLSX in long form, labels in Italian.

Both carry the columns of ``rows.COLUMNS`` in that order; a suppressed value is
empty with ``suppressed`` true. The XLSX adds a sheet with every indicator's
definition (in Italian) and, for figures read from a snapshot, when they were computed
("Dati al …", also the workbook's description). Text a spreadsheet would run as a formula ("=…") is
written as text. Pure: figures in, bytes out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from mutuo_aiuto.services.figures import xlsx
from mutuo_aiuto.services.figures.indicators import INDICATORS
from mutuo_aiuto.services.figures.rows import COLUMNS, N_, Figure, italian

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Said in the files (in Italian) and on the impact page (in the reader's language).
AS_OF = N_("Figures as of %(when)s")


def plain(text: str) -> str:
    """A name a spreadsheet would read as a formula is quoted as text."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def _cells(figure: Figure) -> list[Any]:
    values: list[Any] = [getattr(figure, column) for column in COLUMNS]
    return [plain(v) if isinstance(v, str) else v for v in values]


def to_csv(figures: Iterable[Figure]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for figure in figures:
        writer.writerow(["" if v is None else _csv_value(v) for v in _cells(figure)])
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_xlsx(figures: Iterable[Figure], as_of: str | None = None,
            computed_at: datetime | None = None) -> bytes:
    """The workbook; ``as_of`` ("5 dic 2026, 02:40", the Hub's time) when the figures
    were computed, said below the definitions and as the workbook's description."""
    definitions: list[list[Any]] = [
        [i.name, i.code, italian(i.label), italian(i.definition)] for i in INDICATORS]
    said = None
    if as_of is not None:
        said = italian(AS_OF) % {"when": as_of}
        definitions += [[], [said]]
    return xlsx.workbook([
        ("Indicatori", COLUMNS, (_cells(f) for f in figures)),
        ("Definizioni", ("indicator", "code", "label", "definition"), definitions),
    ], description=said, modified=computed_at)
