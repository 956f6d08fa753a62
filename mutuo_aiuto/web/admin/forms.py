"""Forms of the administration pages: neighbourhoods, categories, skills and API tokens.

Categories and skills get one name field per language of ``i18n.LANGUAGES``
(``name_it``, ``name_en``, …), so adding a language adds a field by itself.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import CATEGORY_KINDS
from mutuo_aiuto.services.catalogue import (
    ICON_NAMES,
    KIND_LABELS,
    NAME_MAX,
    POSITION_MAX,
    REQUIRED_NAME_LANGUAGES,
    SLUG_MAX,
)
from mutuo_aiuto.services.policy import API_SCOPES, SCOPE_FACILITATOR, SCOPE_IMPACT, SCOPE_OWN
from mutuo_aiuto.web.fields import BoundedIntegerField

ICON_LABELS = {
    "care": _l("Heart"),
    "childcare": _l("Pram"),
    "school": _l("School"),
    "homework": _l("Book"),
    "elderly": _l("Person with a walking stick"),
    "errands": _l("Shopping bag"),
    "meals": _l("Bowl"),
    "clock": _l("Clock"),
    "listening": _l("Ear"),
    "family": _l("Family"),
    "mediation": _l("Two speech bubbles"),
    "play": _l("Building blocks"),
    "together": _l("Group of people"),
    "digital": _l("Phone"),
}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered by the ``choices`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def slug_field() -> StringField:
    return StringField(_l("Short name in addresses"),
                       validators=[Optional(), Length(max=SLUG_MAX)])


def position_field() -> BoundedIntegerField:
    return BoundedIntegerField(_l("Position in lists"), default=0,
                        validators=[Optional(), NumberRange(min=0, max=POSITION_MAX)])


def add_name_fields(form_class: type[FlaskForm]) -> type[FlaskForm]:
    """Give a form one ``name_<code>`` field per language; some are required."""
    for code, language in LANGUAGES.items():
        required = DataRequired() if code in REQUIRED_NAME_LANGUAGES else Optional()
        setattr(form_class, f"name_{code}",
                StringField(_l("Name (%(language)s)", language=language),
                            validators=[required, Length(max=NAME_MAX)]))
    return form_class


def names_from(form: FlaskForm) -> dict[str, str]:
    return {code: form[f"name_{code}"].data or "" for code in LANGUAGES}


def fill_names(form: FlaskForm, names: dict[str, str]) -> None:
    for code, text in names.items():
        form[f"name_{code}"].data = text


class NeighbourhoodForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    slug = slug_field()
    active = BooleanField(_l("Active: families can choose it"), default=True)
    neighbours = MultiCheckboxField(_l("Adjacent neighbourhoods"), choices=[])


@add_name_fields
class CategoryForm(FlaskForm):
    slug = slug_field()
    kind = SelectField(_l("Kind of help"),
                       choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in CATEGORY_KINDS])
    icon = SelectField(_l("Icon"),
                       choices=[SelectChoice(name, ICON_LABELS[name]) for name in ICON_NAMES])
    requires_vetted = BooleanField(_l("Only vetted helpers (children or vulnerable people)"))
    remote = BooleanField(_l("Can be given by phone or online (distance does not count)"))
    default_skills = MultiCheckboxField(_l("Skills a request asks for by default"), choices=[])
    active = BooleanField(_l("Active: families can choose it"), default=True)
    position = position_field()


@add_name_fields
class SkillForm(FlaskForm):
    slug = slug_field()
    category = SelectField(_l("Category"), choices=[])
    active = BooleanField(_l("Active: families can choose it"), default=True)
    position = position_field()


SCOPE_LABELS = {
    SCOPE_OWN: _l("The household's own requests and offers"),
    SCOPE_FACILITATOR: _l("Proposals and pairings (staff only)"),
    SCOPE_IMPACT: _l("Impact figures (staff only)"),
}


class ApiTokenForm(FlaskForm):
    account = StringField(_l("Account's email address"),
                          validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=80)])
    scopes = MultiCheckboxField(
        _l("What it may read"), choices=[SelectChoice(s, SCOPE_LABELS[s]) for s in API_SCOPES],
        validators=[DataRequired(message=_l("Choose at least one scope."))])
    expires_on = DateField(_l("Last day it works (optional)"), validators=[Optional()])
