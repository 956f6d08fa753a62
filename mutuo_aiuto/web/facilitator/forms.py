"""Forms of the facilitator's pages: filters, reject, pair by hand, matching weights,
the impact page's period."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, Select

from mutuo_aiuto.models import Category, Neighbourhood, Offer
from mutuo_aiuto.services.impact import Grain, Period
from mutuo_aiuto.services.matches import REASON_MAX
from mutuo_aiuto.services.settings_store import MAX_POINTS
from mutuo_aiuto.web.fields import BoundedIntegerField

URGENCY_CHOICES = [("", _l("Any urgency")), ("1", _l("At least within a month")),
                   ("2", _l("At least within a week")), ("3", _l("Within days"))]
OVERRIDE_CHOICES = [("distance", _l("Distance: the helper may live farther away")),
                    ("language", _l("Language: they may share no language"))]


class QuickSelect(Select):
    """WTForms' select, writing a plain option (no attributes of its own) directly:
    the filters' hundred neighbourhoods took WTForms about 80 µs an option (its
    ``html_params`` escapes and sorts the attributes of each). The same HTML."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        # As html_params writes them: "selected" sorts before "value".
        value = escape(choice.value).replace(Markup('"'), Markup("&quot;"))
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{value}">{label}</option>')


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (rendered by ``forms.choices``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class FilterForm(FlaskForm):
    """The dashboard's filters, read from the address (GET, nothing to protect)."""

    class Meta:
        csrf = False

    neighbourhood = SelectField(_l("Neighbourhood"), validators=[Optional()],
                                widget=QuickSelect())
    category = SelectField(_l("Category"), validators=[Optional()], widget=QuickSelect())
    urgency = SelectField(_l("Urgency"), choices=options(URGENCY_CHOICES),
                          validators=[Optional()], widget=QuickSelect())

    def __init__(self, places: list[Neighbourhood], categories: list[Category], label: Any,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.neighbourhood.choices = options(
            [("", _l("All neighbourhoods"))] + [(p.slug, p.name) for p in places])
        self.category.choices = options(
            [("", _l("All categories"))] + [(c.slug, label(c)) for c in categories])

    def values(self) -> dict[str, Any]:
        """The chosen filters; unknown values (a stale link) count as "all"."""
        if not self.validate():
            return {"neighbourhood": None, "category": None, "urgency": None}
        # Optional() lets blanks through without the select's own check: " " is "all".
        chosen = {name: (getattr(self, name).data or "").strip() or None
                  for name in ("neighbourhood", "category", "urgency")}
        return chosen | {"urgency": int(chosen["urgency"]) if chosen["urgency"] else None}


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why is this pairing not right?"),
                           validators=[DataRequired(message=_l(
                               "Say why this pairing is not right.")),
                               Length(max=REASON_MAX)])


class PairForm(FlaskForm):
    offer = SelectField(_l("Offer"), validators=[DataRequired(message=_l("Choose an offer."))])
    overrides = MultiCheckboxField(_l("Rules to override"), choices=options(OVERRIDE_CHOICES),
                                   validate_choice=True)
    reason = TextAreaField(_l("Why this pairing (required when you override a rule)"),
                           validators=[Optional(), Length(max=REASON_MAX)])

    def __init__(self, offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offer.choices = options(
            [("", _l("Choose an offer"))]
            + [(o.public_id, f"{o.title} — {o.household.name} ({o.neighbourhood.name})")
               for o in offers])


def _points(label: Any) -> BoundedIntegerField:
    return BoundedIntegerField(label, validators=[InputRequired(),
                                                  NumberRange(min=0, max=MAX_POINTS)])


class WeightsForm(FlaskForm):
    base = _points(_l("Points for every possible pairing"))
    urgency = _points(_l("Points per level of urgency"))
    proximity = StringField(_l("Points by distance (same neighbourhood, one away, two away …)"),
                            validators=[DataRequired()])
    language = _points(_l("Points for a shared language"))
    continuity = _points(_l("Points when the helper helped this family before"))
    load = _points(_l("Points taken off for each family the helper already helps"))

    def proximity_values(self) -> list[Any]:
        """The comma-separated numbers; anything not a number is passed on as text,
        for the service to refuse with its message."""
        parts = [part.strip() for part in (self.proximity.data or "").split(",")]
        # isascii: "²" passes isdigit() but int() refuses it.
        return [int(part) if part.isascii() and part.isdigit() else part
                for part in parts if part]


def month_key(month: date) -> str:
    return month.strftime("%Y-%m")


def _listed_month(form: FlaskForm, field: SelectField) -> None:
    # Our own message rather than WTForms' "Not a valid choice", which has no Albanian.
    if field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(_l("Choose a month from the list."))


def _listed_grain(form: FlaskForm, field: SelectField) -> None:
    if field.data not in {grain.value for grain in Grain}:
        raise ValidationError(_l("Choose months, quarters, years or the running total."))


class ImpactForm(FlaskForm):
    """The impact page's period, read from the address (GET, nothing to protect)."""

    class Meta:
        csrf = False

    since = SelectField(_l("From month"), validate_choice=False,
                        validators=[Optional(), _listed_month])
    until = SelectField(_l("To month (included)"), validate_choice=False,
                        validators=[Optional(), _listed_month])

    def __init__(self, months: list[date], default: Period, month_label: Callable[[date], str],
                 **kwargs: Any) -> None:
        super().__init__(data={"since": month_key(default.first),
                               "until": month_key(default.last)}, **kwargs)
        self.default = default
        self.since.choices = self.until.choices = options(
            (month_key(m), month_label(m)) for m in months)

    # Links of the page's month / quarter / year / running total switch: no select.
    by = SelectField(_l("Figures by"), validate_choice=False,
                     choices=[grain.value for grain in Grain],
                     validators=[Optional(), _listed_grain])

    def grain(self) -> Grain:
        """The chosen grouping; months when the input is not valid."""
        if not self.validate() or not (self.by.data or "").strip():
            return Grain.MONTH
        return Grain(self.by.data)

    def validate_until(self, field: SelectField) -> None:
        first = self.since.data or month_key(self.default.first)
        if field.data and field.data < first:
            raise ValidationError(_l("The last month cannot come before the first."))

    def period(self) -> Period:
        """The chosen months; the default period when the input is not valid."""
        if not self.validate():
            return self.default
        # Optional() lets a blank (" ") through as it is: blank means the default.
        first = (self.since.data or "").strip() or month_key(self.default.first)
        last = (self.until.data or "").strip() or month_key(self.default.last)
        return Period(*(date(int(key[:4]), int(key[5:7]), 1) for key in (first, last)))


# How the funder's downloads break the span down; each file adds the cumulative rows.
GRANULARITIES = (("quarter", _l("By quarter")), ("month", _l("By month")),
                 ("year", _l("By year")), ("cumulative", _l("Cumulative only")))


class FiguresForm(ImpactForm):
    """The impact page's period and how the download breaks it down (GET)."""

    by = SelectField(_l("Periods"), default="quarter", validate_choice=False,
                     validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by.choices = options(GRANULARITIES)

    def granularity(self) -> str:
        """The chosen breakdown; by quarter when the input is not one of the list."""
        return self.by.data if self.by.data in dict(GRANULARITIES) else "quarter"
