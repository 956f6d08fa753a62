"""Forms of the families pages: the household, its members, needs and offers.

Forms check types and lengths; the services check the domain rules. Each
form turns its data into the services' input (``NeedInput``, ``OfferInput``)
and is filled back from a stored row for editing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from babel.lists import format_list
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Field
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import ListWidget

from mutuo_aiuto.models import Category, Household, Member, Need, Neighbourhood, Offer, Skill
from mutuo_aiuto.services import esf, households, needs, offers, slots
from mutuo_aiuto.services.households import PersonAnswers
from mutuo_aiuto.services.lifecycle import status_label
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.offers import OfferInput
from mutuo_aiuto.services.phones import display_phone
from mutuo_aiuto.services.slots import DatedRow, WeeklyRow
from mutuo_aiuto.web.fields import BoundedIntegerField, QuickCheckboxInput, QuickSelectField
from mutuo_aiuto.web.filters import label, language_name, locale_code

HOP_CHOICES = [(0, _l("Only my neighbourhood")), (1, _l("Also the next neighbourhoods")),
               (2, _l("Further away"))]
URGENCY_CHOICES = [(0, _l("Not urgent")), (1, _l("Within a month")),
                   (2, _l("Within a week")), (3, _l("Within days"))]
MEMBER_KIND_CHOICES = [("adult", _l("Adult")), ("child", _l("Child")), ("elder", _l("Elder"))]
WEEKDAYS = list(range(7))


def _label(choices: list[tuple[Any, Any]], value: Any) -> str:
    return str(dict(choices).get(value, value))


def template_labels() -> dict[str, Any]:
    """The words the families templates (and the front desk's, which show the same
    forms) print for a status and for the choices of these forms."""
    return {"status_label": status_label,
            "member_kind_label": partial(_label, MEMBER_KIND_CHOICES),
            "hops_label": partial(_label, HOP_CHOICES),
            "urgency_label": partial(_label, URGENCY_CHOICES)}


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered by ``forms.choices``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = QuickCheckboxInput()


def leaf_fields(form: Form) -> Iterator[Field]:
    """Every field of a form, containers first, descending into row lists and subforms."""
    for field in form:
        yield field
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield entry
                if isinstance(entry, FormField):
                    yield from leaf_fields(entry.form)
        elif isinstance(field, FormField):
            yield from leaf_fields(field.form)


class FamiliesForm(FlaskForm):
    """Errors from nested rows listed flat, and service errors put on the right input."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Validator messages are lazy strings; templates test ``e is string``,
        # which a lazy string fails: make them plain text in the reader's language.
        for field in leaf_fields(self):
            if isinstance(field.errors, list):
                field.errors = [error if isinstance(error, dict | list) else str(error)
                                for error in field.errors]
        return valid

    def error_items(self) -> list[tuple[str, str]]:
        """``(input id, message)`` for every message, row inputs included."""
        items = []
        for field in leaf_fields(self):
            for error in field.errors if isinstance(field.errors, list | tuple) else ():
                if isinstance(error, str) and not isinstance(field, FormField):
                    items.append((field.id, error))
        return items

    def has_error(self, name: str | None) -> bool:
        """Whether the field called ``name`` (or, with no name, the form) has a message."""
        for field in leaf_fields(self):
            if name and field.name == name and not isinstance(field, FormField):
                return bool([e for e in field.errors if isinstance(e, str)])
        return False

    def add_error(self, name: str | None, message: str) -> bool:
        """Attach a message to the field called ``name``; False when there is none."""
        for field in leaf_fields(self):
            if name and field.name == name and not isinstance(field, FormField):
                field.errors = [*field.errors, message]
                return True
        return False


# -- household ----------------------------------------------------------------------------

def neighbourhood_choices(places: Sequence[Neighbourhood]) -> list[SelectChoice]:
    return options((place.slug, place.name) for place in places)


def language_choices() -> list[SelectChoice]:
    return options((code, language_name(code)) for code in households.LANGUAGE_CODES)


class HouseholdForm(FamiliesForm):
    name = StringField(_l("Family name"), filters=[strip],
                       validators=[DataRequired(_l("Give your family a name, for example "
                                                   "“Famiglia Rossi”.")),
                                   Length(max=households.NAME_MAX)])
    neighbourhood = QuickSelectField(_l("Neighbourhood"),
                                     validators=[DataRequired(_l("Choose a neighbourhood."))])
    languages = MultiCheckboxField(_l("Languages spoken at home"))
    phone = TelField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=30)])
    address = StringField(_l("Address"), filters=[strip],
                          validators=[Optional(), Length(max=households.ADDRESS_MAX)])
    care_notes = TextAreaField(_l("Care notes (optional)"), filters=[strip],
                               validators=[Optional(), Length(max=households.NOTES_MAX)])

    def __init__(self, places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [SelectChoice("", _l("Choose…")),
                                      *neighbourhood_choices(places)]
        self.languages.choices = language_choices()

    @classmethod
    def data_of(cls, household: Household | None) -> dict[str, Any]:
        if household is None:
            return {"languages": ["it"]}
        return {"name": household.name, "languages": household.languages,
                "neighbourhood": household.neighbourhood.slug if household.neighbourhood else "",
                "phone": display_phone(household.phone), "address": household.address,
                "care_notes": household.care_notes}

    def fields_for_service(self) -> dict[str, Any]:
        return {"name": self.name.data, "neighbourhood": self.neighbourhood.data,
                "languages": self.languages.data or [], "phone": self.phone.data,
                "address": self.address.data, "care_notes": self.care_notes.data}


class AboutYouForm(FamiliesForm):
    """A helper who is not a family: only what the matcher and the family will need."""

    neighbourhood = QuickSelectField(_l("Your neighbourhood"),
                                     validators=[DataRequired(_l("Choose a neighbourhood."))])
    languages = MultiCheckboxField(_l("Languages you speak"))
    phone = TelField(_l("Phone (optional)"), filters=[strip],
                     validators=[Optional(), Length(max=30)])

    def __init__(self, places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [SelectChoice("", _l("Choose…")),
                                      *neighbourhood_choices(places)]
        self.languages.choices = language_choices()

    @classmethod
    def data_of(cls, household: Household | None) -> dict[str, Any]:
        if household is None:
            return {"languages": ["it"]}
        return {"languages": household.languages, "phone": display_phone(household.phone),
                "neighbourhood": household.neighbourhood.slug if household.neighbourhood else ""}

    def fields_for_service(self) -> dict[str, Any]:
        return {"neighbourhood": self.neighbourhood.data,
                "languages": self.languages.data or [], "phone": self.phone.data}


def _answer_choices(question: esf.Question) -> list[SelectChoice]:
    """"Not answered" first (the empty value), then the question's answers."""
    return options([("", _l("Not answered")),
                    *((option.code, option.label) for option in question.options)])


def _answer_field(question: esf.Question) -> SelectField:
    # The service checks the code and says so in the reader's words: not WTForms' message.
    return SelectField(question.label, choices=_answer_choices(question), validate_choice=False)


class MemberForm(FamiliesForm):
    """A person of the family, with the funder's questions (ESF+) behind a disclosure."""

    kind = RadioField(_l("Who"), choices=options(MEMBER_KIND_CHOICES), default="adult",
                      validators=[DataRequired(_l("Choose adult, child or elder."))])
    first_name = StringField(_l("First name (optional)"), filters=[strip],
                             validators=[Optional(), Length(max=households.FIRST_NAME_MAX)])
    birth_year = BoundedIntegerField(_l("Year of birth (optional)"), validators=[Optional()])
    gender = _answer_field(esf.GENDER)
    employment = _answer_field(esf.EMPLOYMENT)
    education = _answer_field(esf.EDUCATION)
    citizenship = _answer_field(esf.CITIZENSHIP)
    foreign_background = _answer_field(esf.FOREIGN_BACKGROUND)
    special_consent = BooleanField(_l("I agree that the Hub keeps the answers about "
                                      "disability and minority for this person"))
    disability = _answer_field(esf.DISABILITY)
    minority = _answer_field(esf.MINORITY)

    @property
    def esf_fields(self) -> list[tuple[Field, Any]]:
        """The funder's questions, each with its plain-words explanation, in form order."""
        return [(self[q.field], q.hint) for q in esf.QUESTIONS]

    @property
    def special_fields(self) -> list[tuple[Field, Any]]:
        return [(self[q.field], q.hint) for q in esf.SPECIAL_CATEGORY]

    @property
    def answers_have_errors(self) -> bool:
        """A refused answer opens the disclosure, so the message is not hidden."""
        return any(self[name].errors for name in (*self._answer_names(), "special_consent"))

    @classmethod
    def data_of(cls, member: Member) -> dict[str, Any]:
        answers = households.answers_of(member)
        return {"kind": member.kind, "first_name": member.first_name,
                "birth_year": member.birth_year,
                **{name: getattr(answers, name) or "" for name in cls._answer_names()},
                "special_consent": answers.special_consent}

    @staticmethod
    def _answer_names() -> list[str]:
        return [q.field for q in (*esf.QUESTIONS, *esf.SPECIAL_CATEGORY)]

    def fields_for_service(self) -> dict[str, Any]:
        # "" (not answered) reaches the service as None; the service checks the codes.
        answers = PersonAnswers(**{name: self[name].data or None
                                   for name in self._answer_names()},
                                special_consent=bool(self.special_consent.data))
        return {"kind": self.kind.data, "first_name": self.first_name.data,
                "birth_year": self.birth_year.data, "answers": answers}


# -- slot rows ----------------------------------------------------------------------------

class WeeklyRowForm(Form):
    """One row: the days of the week ticked, and one from–to for all of them."""

    days = MultiCheckboxField(_l("Days"), coerce=int,
                              choices=options((d, str(d)) for d in WEEKDAYS))
    start = StringField(_l("From"), filters=[strip])
    end = StringField(_l("To"), filters=[strip])


class DatedRowForm(Form):
    on_date = DateField(_l("Date"), validators=[Optional()])
    start = StringField(_l("From"), filters=[strip])
    end = StringField(_l("To"), filters=[strip])


class RowList(FieldList):
    """A fixed number of rows, reading only plain row numbers from the request.

    WTForms takes any key ``weekly-<n>-…`` whose ``n`` passes ``str.isdigit``,
    which "²" does, and then fails on ``int("²")``: a crafted request would
    raise instead of being ignored.
    """

    def _extract_indices(self, prefix: str, formdata: Any) -> Iterator[int]:
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit():
                    yield int(index)


def row_list(form_class: type[Form]) -> RowList:
    return RowList(FormField(form_class), min_entries=slots.MAX_ROWS,
                   max_entries=slots.MAX_ROWS)


def weekly_field() -> RowList:
    return row_list(WeeklyRowForm)


def weekly_input(rows: FieldList) -> list[WeeklyRow]:
    return [WeeklyRow(row.form.days.data or [], row.form.start.data, row.form.end.data)
            for row in rows]


def dated_input(rows: FieldList) -> list[DatedRow]:
    return [DatedRow(row.form.on_date.data, row.form.start.data, row.form.end.data)
            for row in rows]


# -- needs and offers ---------------------------------------------------------------------

def skill_groups(field: MultiCheckboxField, skills: Sequence[Skill]) -> list[tuple[str, list]]:
    """The skill checkboxes grouped under their category's name, in list order."""
    group_of = {skill.slug: label(skill.category) if skill.category else "" for skill in skills}
    groups: dict[str, list] = {}
    for option in field:
        groups.setdefault(group_of.get(option.data, ""), []).append(option)
    return list(groups.items())


# Fields that needs and offers share, made fresh for each form so that each form
# lists its fields in the order the page shows them (the error summary follows it).

def title_field() -> StringField:
    return StringField(_l("Title"), filters=[strip],
                       validators=[DataRequired(_l("Give a short title.")),
                                   Length(max=needs.TITLE_MAX)])


def at_least_one_skill(form: Form, field: Field) -> None:
    # Not InputRequired: its "required" flag would make the browser demand every box.
    if not field.data:
        raise ValidationError(_l("Choose at least one skill."))


def skills_field(text: Any) -> MultiCheckboxField:
    return MultiCheckboxField(text, validators=[at_least_one_skill])


def ends_on_field() -> DateField:
    return DateField(_l("Until when"),
                     validators=[DataRequired(_l("Give an end date: until when."))])


def neighbourhood_field() -> SelectField:
    return QuickSelectField(_l("Neighbourhood"),
                            validators=[DataRequired(_l("Choose a neighbourhood."))])


def hops_field() -> RadioField:
    return RadioField(_l("How far"), coerce=int, choices=options(HOP_CHOICES), default=1)


def description_field() -> TextAreaField:
    return TextAreaField(_l("Description (optional)"), filters=[strip],
                         validators=[Optional(), Length(max=needs.DESCRIPTION_MAX)])


class PostForm(FamiliesForm):
    """What needs and offers share: the choices read from the database."""

    def __init__(self, skills: Sequence[Skill], places: Sequence[Neighbourhood],
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skill_list = list(skills)
        self["skills"].choices = options((skill.slug, label(skill)) for skill in skills)
        self["neighbourhood"].choices = neighbourhood_choices(places)
        self["languages"].choices = language_choices()

    def skill_groups(self) -> list[tuple[str, list]]:
        return skill_groups(self["skills"], self.skill_list)

    @staticmethod
    def defaults(household: Household) -> dict[str, Any]:
        return {"languages": household.languages,
                "neighbourhood": household.neighbourhood.slug if household.neighbourhood else None}


class NeedForm(PostForm):
    """A request: the common part first (kind, a few words, when), then "more details".

    The fields are declared in the order the page shows them, so the error
    summary lists them in that order. Skills left unticked follow from the kind
    of help (``services.needs.skills_for``); the neighbourhood and languages
    start as the household's; "until when" left empty has the service's default.
    """

    category = RadioField(_l("What kind of help do you need?"), validate_choice=False,
                          validators=[DataRequired(_l("Choose a kind of help from the list."))])
    title = StringField(_l("In a few words"), filters=[strip],
                        validators=[DataRequired(_l("Say in a few words what you need.")),
                                    Length(max=needs.TITLE_MAX)])
    weekly = weekly_field()
    dated = row_list(DatedRowForm)
    # -- more details
    neighbourhood = neighbourhood_field()
    languages = MultiCheckboxField(_l("Languages"))
    skills = MultiCheckboxField(_l("Skills needed"))
    starts_on = DateField(_l("From when (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Until when (optional)"), validators=[Optional()])
    max_hops = hops_field()
    helpers = RadioField(_l("How many helpers"), coerce=int,
                         choices=options((n, str(n)) for n in needs.HELPERS), default=1)
    urgency = RadioField(_l("How urgent"), coerce=int, choices=options(URGENCY_CHOICES), default=0)
    requires_vetted = BooleanField(_l("Only helpers checked by the Hub"))
    remote = BooleanField(_l("This help can be given by phone or online"))
    at_home = BooleanField(_l("The help happens at our home"))
    description = description_field()
    save_draft = SubmitField(_l("Save as draft"))
    publish = SubmitField(_l("Publish"))

    # What "more details" holds: it opens by itself when one of them has an error.
    DETAIL_FIELDS = ("neighbourhood", "languages", "skills", "starts_on", "ends_on", "max_hops",
                     "helpers", "urgency", "requires_vetted", "remote", "description")

    def __init__(self, categories: Sequence[Category], skills: Sequence[Skill],
                 places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(skills, places, *args, **kwargs)
        self.category_list = list(categories)
        self.category.choices = options((c.slug, label(c)) for c in categories)

    def category_options(self) -> list[tuple[Any, Category]]:
        """Each radio button of the kind of help with its category (for its icon)."""
        by_slug = {category.slug: category for category in self.category_list}
        return [(option, by_slug[option.data]) for option in self.category
                if option.data in by_slug]

    def place_name(self) -> str:
        """The chosen neighbourhood's name, as the sentence above "more details" says it."""
        return next((str(choice.label) for choice in self.neighbourhood.choices
                     if choice.value == self.neighbourhood.data), "")

    def languages_said(self) -> str:
        """The chosen languages as a list in words ("italiano e arabo"); empty for none."""
        codes = [code for code in households.LANGUAGE_CODES if code in (self.languages.data or ())]
        return format_list([language_name(code) for code in codes], locale=locale_code())

    def details_have_errors(self) -> bool:
        rows = [*self.weekly.entries[1:], *self.dated.entries[1:]]
        return (any(self[name].errors for name in self.DETAIL_FIELDS)
                or any(row.errors for row in rows))

    def first_date_used(self) -> bool:
        row = self.dated.entries[0].form
        typed = bool(row.on_date.raw_data and row.on_date.raw_data[0])
        return bool(row.on_date.data or typed or row.start.data or row.end.data
                    or self.dated.entries[0].errors
                    or [e for e in self.dated.errors if isinstance(e, str)])

    @classmethod
    def data_for_new(cls, household: Household, category: Category | None) -> dict[str, Any]:
        data = cls.defaults(household)
        if category is not None:
            data.update(category=category.slug, requires_vetted=category.requires_vetted,
                        remote=category.remote)
        return data

    @classmethod
    def data_of(cls, need: Need) -> dict[str, Any]:
        # Skills that are just the kind of help's defaults stay unticked: they keep
        # following the kind of help if the family changes it.
        skills = [skill.slug for skill in need.skills]
        if set(skills) == {skill.slug for skill in need.category.default_skills}:
            skills = []
        return {
            "title": need.title, "category": need.category.slug, "skills": skills,
            "weekly": slots.weekly_rows(need.slots), "dated": slots.dated_rows(need.slots),
            "starts_on": need.starts_on, "ends_on": need.ends_on,
            "neighbourhood": need.neighbourhood.slug, "max_hops": need.max_hops,
            "helpers": need.helpers, "urgency": need.urgency, "languages": need.languages,
            "requires_vetted": need.requires_vetted, "remote": need.remote,
            "at_home": need.at_home, "description": need.description,
        }

    def to_input(self) -> NeedInput:
        return NeedInput(
            title=self.title.data, category=self.category.data, skills=self.skills.data or [],
            ends_on=self.ends_on.data, weekly=weekly_input(self.weekly),
            dated=dated_input(self.dated), starts_on=self.starts_on.data,
            neighbourhood=self.neighbourhood.data, max_hops=self.max_hops.data,
            helpers=self.helpers.data, urgency=self.urgency.data,
            languages=self.languages.data or [], requires_vetted=self.requires_vetted.data,
            remote=self.remote.data, at_home=bool(self.at_home.data),
            description=self.description.data,
        )


class OfferForm(PostForm):
    title = title_field()
    skills = skills_field(_l("Skills offered"))
    weekly = weekly_field()
    ends_on = ends_on_field()
    neighbourhood = neighbourhood_field()
    max_hops = hops_field()
    capacity = RadioField(_l("How many families at once"), coerce=int,
                          choices=options((n, str(n)) for n in offers.CAPACITIES), default=1)
    languages = MultiCheckboxField(_l("Languages"))
    description = description_field()

    @classmethod
    def data_for_new(cls, household: Household) -> dict[str, Any]:
        return cls.defaults(household)

    @classmethod
    def data_of(cls, offer: Offer) -> dict[str, Any]:
        return {
            "title": offer.title, "skills": [skill.slug for skill in offer.skills],
            "weekly": slots.weekly_rows(offer.slots), "ends_on": offer.ends_on,
            "neighbourhood": offer.neighbourhood.slug, "max_hops": offer.max_hops,
            "capacity": offer.capacity, "languages": offer.languages,
            "description": offer.description,
        }

    def to_input(self) -> OfferInput:
        return OfferInput(
            title=self.title.data, skills=self.skills.data or [], ends_on=self.ends_on.data,
            weekly=weekly_input(self.weekly), neighbourhood=self.neighbourhood.data,
            max_hops=self.max_hops.data, capacity=self.capacity.data,
            languages=self.languages.data or [], description=self.description.data,
        )
