"""The impact pages' sections: the engine's figures as tables and charts (issue 14).

Each section (Who we reach, The journey of a request, The help network,
Belonging) is a list of ``Block``: the indicators it shows, each with its
definition in the reader's language, a chart where a picture helps and the
numbers in a table (a hidden count is "<5"). The figures come from one call,
``pages.page_figures``; this module only arranges and labels them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mutuo_aiuto.services import esf, reasons
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.pages import PageFigures
from mutuo_aiuto.services.figures.participants import NOT_RECORDED
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod
from mutuo_aiuto.services.figures.rows import Figure
from mutuo_aiuto.web.charts import Point

# Indicators whose value is a share of 1: shown as a percentage.
SHARES = frozenset({"active_share", "retention_3_months", "retention_6_months",
                    "network_share_across_neighbourhoods", "network_largest_component_share",
                    "network_density", "network_reciprocity", "network_clustering"})

Label = Callable[[str], str]


@dataclass(frozen=True)
class Cell:
    """One number as shown: ``text`` ("12", "45 %", "<5", "–"), hidden or not."""

    text: str
    suppressed: bool = False


@dataclass
class Table:
    """A table with a caption, the heading of its row names, its columns and rows."""

    id: str
    caption: str
    corner: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)


@dataclass
class Block:
    """Indicators shown together: their definitions, maybe a chart, the table."""

    id: str
    title: str
    indicators: list[tuple[str, str, str | None]]  # (label, definition, ESF+ code)
    table: Table
    chart: tuple[str, list[Point]] | None = None  # ("columns" | "line" | "bars", points)
    mostly_suppressed: bool = False


@dataclass
class Section:
    name: str
    title: Any
    lead: Any
    blocks: list[Block]


# ---- labels -------------------------------------------------------------------------------

WORDS: dict[str, Any] = {
    NOT_RECORDED: _l("Not recorded"),
    "given": _l("Only give help"), "received": _l("Only receive help"),
    "both": _l("Both give and receive"),
    "received_only": _l("Received only"), "below_half": _l("Gave under half of what they received"),
    "half_to_double": _l("Gave half to twice what they received"),
    "above_double": _l("Gave over twice what they received"), "given_only": _l("Gave only"),
    "across": _l("Across groups"), "known": _l("Both sides known"),
    "improved": _l("Rose"), "unchanged": _l("Held"), "worse": _l("Fell"),
    "before": _l("Before (first answer)"), "after": _l("After (latest answer)"),
    "family": _l("Families"), "helper": _l("Helpers"),
}


def word(code: str) -> str:
    return str(WORDS.get(code, code))


def answer(question: esf.Question) -> Label:
    """An ESF+ answer in words, with the ESF+ code it counts towards."""
    def label(code: str) -> str:
        option = question.option(code)
        if option is None:
            return word(code)
        return f"{option.label} ({option.esf_code})" if option.esf_code else str(option.label)
    return label


def age(code: str) -> str:
    band = next((b for b in esf.AGE_BANDS if b.code == code), None)
    if band is None:
        return word(code)
    return f"{band.label} ({band.esf_code})" if band.esf_code else str(band.label)


def ordered(values: list[str], order: Sequence[str] = ()) -> list[str]:
    """``values`` in the order the form asks them (``order``), the others after, sorted."""
    return sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))


ROLES = ("given", "received", "both")
RATIOS = ("received_only", "below_half", "half_to_double", "above_double", "given_only")
CHANGES = ("improved", "unchanged", "worse")
ACROSS = ("across", "known")
SIDES = ("before", "after", "family", "helper")


def _codes(question: esf.Question) -> tuple[str, ...]:
    return (*question.codes, NOT_RECORDED)


def period_name(period: ReportPeriod, granularity: Granularity) -> str:
    """A column's name, short enough for a phone: "gen 26", "T1 26", "2026"."""
    if granularity is Granularity.QUARTER:
        return format_date(period.start, "QQQ yy")
    if granularity is Granularity.YEAR:
        return format_date(period.start, "y")
    return format_date(period.start, "LLL yy")


def shown(figure: Figure | None, name: str, *, zero: bool = False) -> Cell:
    """A figure as the table shows it; a count the report has no row for is a zero when
    ``zero`` (an answer nobody gave), else nothing to show."""
    if figure is None and zero:
        return Cell("0")
    if figure is None or (figure.value is None and not figure.suppressed):
        return Cell("–")
    if figure.suppressed:
        return Cell("<5", suppressed=True)
    if name in SHARES:
        return Cell(format_percent(figure.value, format="#,##0.#%"))
    return Cell(format_decimal(round(float(figure.value or 0), 2), format="#,##0.##"))


def point(label: str, figure: Figure | None, *, zero: bool = False) -> Point:
    """A figure as a chart's point; as in ``shown``, a missing count is a zero when
    ``zero``."""
    if figure is None and zero:
        return Point(label, 0.0)
    if figure is None or figure.suppressed:
        return Point(label, None, suppressed=figure is not None)
    value = None if figure.value is None else float(figure.value)
    if value is not None and figure.indicator in SHARES:
        value = round(value * 100, 1)
    return Point(label, value)


def described(names: Sequence[str]) -> list[tuple[str, str, str | None]]:
    return [(_(BY_NAME[n].label), _(BY_NAME[n].definition), BY_NAME[n].code) for n in names]


# ---- the shapes of table -------------------------------------------------------------------


def over_time(found: PageFigures, block_id: str, title: str, names: Sequence[str], *,
              chart: str | None = None, chart_of: str | None = None) -> Block:
    """Periods down, indicators across (each figure "all" its breakdowns), the whole span
    last; a chart of ``chart_of`` (the first indicator) over the periods."""
    periods = found.periods(names[0])
    table = Table(block_id, title, _("Period"), [_(BY_NAME[n].label) for n in names])
    for period in periods:
        table.rows.append((period_name(period, _granularity(found, names[0])),
                           [shown(found.get(n, period), n) for n in names]))
    table.rows.append((_("Whole period"), [shown(found.get(n), n) for n in names]))
    drawn = None
    if chart and len(periods) > 1:
        name = chart_of or names[0]
        drawn = (chart, [point(period_name(p, _granularity(found, name)), found.get(name, p))
                         for p in periods])
    return Block(block_id, title, described(names), table, _drawn(drawn),
                 mostly_suppressed(table))


def broken_down(found: PageFigures, block_id: str, title: str, name: str, axis: str,
                label: Label, corner: str, *, chart: bool = True,
                order: Sequence[str] = ()) -> Block:
    """The breakdown's values down, the periods across and the whole span last; a chart of
    the whole span's values."""
    periods = found.periods(name)
    additive = BY_NAME[name].additive
    # A count's answer nobody gave is a zero: listed, so the table always has its rows.
    values = ordered(sorted({*found.values(name, axis), *(order if additive else ())}),
                     order)
    columns = [period_name(p, found.granularity) for p in periods] + [_("Whole period")]
    table = Table(block_id, title, corner, columns)
    for value in values:
        table.rows.append((label(value), [
            shown(found.get(name, p, {axis: value}), name, zero=additive)
            for p in [*periods, None]]))
    if BY_NAME[name].additive or any(found.get(name, p) for p in [*periods, None]):
        total = [shown(found.get(name, p), name) for p in [*periods, None]]
        if any(cell.text != "–" for cell in total):
            table.rows.append((_("All"), total))
    drawn = ("bars", [point(label(v), found.get(name, None, {axis: v}), zero=additive)
                      for v in values]) if chart else None
    return Block(block_id, title, described([name]), table, _drawn(drawn),
                 mostly_suppressed(table))


def matrix(found: PageFigures, block_id: str, title: str, name: str, rows: str, columns: str,
           row_label: Label, column_label: Label, corner: str,
           orders: tuple[Sequence[str], Sequence[str]] = ((), ())) -> Block:
    """Over the whole span: ``rows`` values down, ``columns`` across, with their totals."""
    down = ordered(found.values(name, rows), orders[0])
    across = ordered(found.values(name, columns), orders[1])
    table = Table(block_id, title, corner,
                  [column_label(v) for v in across] + [_("All")])
    for value in [*down, None]:
        table.rows.append((row_label(value) if value is not None else _("All"),
                           [shown(found.get(name, None, {rows: value, columns: other}), name)
                            for other in [*across, None]]))
    return Block(block_id, title, described([name]), table, None,
                 mostly_suppressed(table))


def mostly_suppressed(table: Table) -> bool:
    """Whether most of the table's cells that tell something (not "–", not a zero) are
    hidden: then the page offers a coarser period."""
    told = [cell for _name, cells in table.rows for cell in cells
            if cell.suppressed or cell.text not in ("–", "0")]
    return bool(told) and sum(cell.suppressed for cell in told) * 2 > len(told)


def _granularity(found: PageFigures, name: str) -> Granularity:
    return Granularity.MONTH if _by_month_only(name) else found.granularity


def _by_month_only(name: str) -> bool:
    # Retention is by joining month whatever the report's periods.
    return name in ("households_joined", "retention_3_months", "retention_6_months")


def _drawn(drawn: tuple[str, list[Point]] | None) -> tuple[str, list[Point]] | None:
    """No chart of nothing but hidden or empty values: the table says it better."""
    if drawn is None or not any(p.value for p in drawn[1]):
        return None
    return drawn


# ---- the sections --------------------------------------------------------------------------


def reach(found: PageFigures, category: Label = str) -> list[Block]:
    return [
        over_time(found, "participants-total", _("Participants"),
                  ["participants", "participants_with_disabilities"], chart="columns"),
        matrix(found, "participants", _("Participants by gender and age band"),
               "participants", "age_band", "gender", age, answer(esf.GENDER),
               _("Age band"), ([b.code for b in esf.AGE_BANDS], _codes(esf.GENDER))),
        broken_down(found, "employment", _("Participants by employment status at entry"),
                    "participants_by_employment", "category", answer(esf.EMPLOYMENT),
                    _("Work when joining"), order=_codes(esf.EMPLOYMENT)),
        broken_down(found, "education", _("Participants by education level"),
                    "participants_by_education", "category", answer(esf.EDUCATION),
                    _("Highest school finished"), order=_codes(esf.EDUCATION)),
        broken_down(found, "citizenship", _("Participants by citizenship"),
                    "participants_by_citizenship", "category", answer(esf.CITIZENSHIP),
                    _("Citizenship"), order=_codes(esf.CITIZENSHIP)),
        broken_down(found, "background", _("Participants by foreign background"),
                    "participants_by_foreign_background", "category",
                    answer(esf.FOREIGN_BACKGROUND), _("Foreign background"),
                    order=_codes(esf.FOREIGN_BACKGROUND)),
        broken_down(found, "active", _("Active households by neighbourhood"),
                    "active_households", "neighbourhood", str, _("Neighbourhood")),
        over_time(found, "active-share", _("Share of registered households that were active"),
                  ["active_share"], chart="line"),
        over_time(found, "retention", _("Households that joined, and how many stayed"),
                  ["households_joined", "retention_3_months", "retention_6_months"],
                  chart="columns"),
    ]


def journey(found: PageFigures, category: Label = str) -> list[Block]:
    steps = ["requests_posted", "requests_proposed", "requests_confirmed",
             "requests_accepted", "requests_closed_well"]
    funnel = over_time(found, "funnel", _("How far the requests got"), steps)
    funnel.chart = _drawn(("bars", [point(_(BY_NAME[n].label), found.get(n)) for n in steps]))
    return [
        funnel,
        over_time(found, "days", _("Median days per step"),
                  ["median_days_to_proposal", "median_days_to_confirmation",
                   "median_days_to_acceptance", "median_days_to_good_close"],
                  chart="line"),
        broken_down(found, "posted-place", _("Requests posted by neighbourhood"),
                    "requests_posted", "neighbourhood", str, _("Neighbourhood")),
        broken_down(found, "posted-category", _("Requests posted by category"),
                    "requests_posted", "category", category, _("Category"),
                    chart=False),
        broken_down(found, "unmatched", _("Requests left without a proposal, by reason"),
                    "unmatched_requests", "category", reasons.unmatched_reason, _("Why")),
        broken_down(found, "hours-category", _("Hours of help by category"),
                    "hours_of_help", "category", category, _("Category")),
        broken_down(found, "hours-place", _("Hours of help by neighbourhood"),
                    "hours_of_help", "neighbourhood", str, _("Neighbourhood"), chart=False),
    ]


def network(found: PageFigures, category: Label = str) -> list[Block]:
    return [
        over_time(found, "ties", _("Households and ties"),
                  ["network_households", "network_ties", "network_new_ties",
                   "network_repeated_ties"], chart="columns", chart_of="network_ties"),
        matrix(found, "matrix", _("Pairings by neighbourhoods"),
               "network_help_between_neighbourhoods", "neighbourhood", "category", str, str,
               _("Family's neighbourhood")),
        over_time(found, "shape", _("The shape of the network"),
                  ["network_share_across_neighbourhoods", "network_largest_component_share",
                   "network_density", "network_reciprocity", "network_clustering",
                   "network_bridging_households"]),
        broken_down(found, "across-age", _("Ties across age bands"),
                    "network_ties_across_age_bands", "category", word, _("Ties"),
                    chart=False, order=ACROSS),
        broken_down(found, "across-citizenship", _("Ties across citizenship"),
                    "network_ties_across_citizenship", "category", word, _("Ties"),
                    chart=False, order=ACROSS),
        broken_down(found, "across-language", _("Ties without a shared language"),
                    "network_ties_without_shared_language", "category", word, _("Ties"),
                    chart=False, order=ACROSS),
        broken_down(found, "reciprocity", _("Households that give, receive or both"),
                    "reciprocity_households", "category", word, _("Role"), order=ROLES),
        broken_down(found, "ratio", _("Households by hours given ÷ hours received"),
                    "hours_ratio_households", "category", word, _("Hours given ÷ received"),
                    order=RATIOS),
    ]


def belonging(found: PageFigures, category: Label = str) -> list[Block]:
    return [
        broken_down(found, "belonging", _("Households whose belonging rose, held or fell"),
                    "belonging_households", "category", word, _("Their answer"),
                    order=CHANGES),
        broken_down(found, "belonging-mean", _("Belonging before and after"),
                    "belonging_mean", "category", word, _("Answer"), order=SIDES),
        broken_down(found, "satisfaction", _("Satisfaction of families and helpers"),
                    "satisfaction_mean", "category", word, _("Who rated"),
                    order=SIDES),
    ]


SECTIONS: dict[str, tuple[Any, Any, Callable[[PageFigures, Label], list[Block]]]] = {
    "reach": (_l("Who we reach"),
              _l("The people who took part, as the European Social Fund (ESF+) counts them, "
                 "and the households that stay."), reach),
    "journey": (_l("The journey of a request"),
                _l("From posting to a good close: how many got how far, how long each step "
                   "took, why some found no helper, and the hours given."), journey),
    "network": (_l("The help network"),
                _l("Who helps whom: the ties between households, across neighbourhoods, ages "
                   "and origins, and who both gives and receives."), network),
    "belonging": (_l("Belonging"),
                  _l("Whether people know someone nearby to ask for help, first and latest "
                     "answer, and how both sides rated their pairings."), belonging),
}


def section(name: str, found: PageFigures,
            category_names: Mapping[str, str] | None = None) -> Section:
    """Section ``name`` of ``found``; the report names categories in Italian (the funder's
    language), ``category_names`` gives each one's name in the reader's."""
    title, lead, build = SECTIONS[name]
    names = category_names or {}
    return Section(name, title, lead, build(found, lambda code: names.get(code, code)))
