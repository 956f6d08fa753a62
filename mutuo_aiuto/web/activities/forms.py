"""The forms of the activities pages: posting an activity, asking to join, finding one.

The slot rows are the request form's (``families.forms``); the service checks the
domain rules and refuses every problem at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from mutuo_aiuto.models import Activity, Association, Neighbourhood, User
from mutuo_aiuto.services import activities, groups, slots
from mutuo_aiuto.services.activities import ActivityInput
from mutuo_aiuto.services.reminders import ANSWERS
from mutuo_aiuto.web.families.forms import (
    DatedRowForm,
    FamiliesForm,
    MultiCheckboxField,
    dated_input,
    language_choices,
    neighbourhood_choices,
    options,
    row_list,
    strip,
    weekly_field,
    weekly_input,
)
from mutuo_aiuto.web.fields import BoundedIntegerField

KIND_LABELS = {
    "self_help": _l("Self-help group"),
    "play_group": _l("Play group"),
    "homework_club": _l("Homework club"),
    "parents_circle": _l("Parents' circle"),
    "language_cafe": _l("Language café"),
    "outing": _l("Outing"),
    "workshop": _l("Workshop"),
}
PLACE_KIND_LABELS = {
    "hub_room": _l("A room of the Family Hub"),
    "public_place": _l("A public place (library, park, school, parish hall…)"),
}
ADMISSION_LABELS = {
    "open": _l("Open to all: families sign up and are in"),
    "by_request": _l("By request: the leader accepts each family"),
}
HUB = "hub"


class ActivityForm(FamiliesForm):
    """An activity, in the order the page shows its fields."""

    posted_by = SelectField(_l("Posted by"))
    kind = RadioField(_l("Kind of activity"), choices=options(KIND_LABELS.items()),
                      validate_choice=False)
    title = StringField(_l("Title"), filters=[strip],
                        validators=[Length(max=activities.TITLE_MAX)])
    description = TextAreaField(_l("Description (optional)"), filters=[strip],
                                validators=[Optional(),
                                            Length(max=activities.DESCRIPTION_MAX)])
    weekly = weekly_field()
    dated = row_list(DatedRowForm)
    starts_on = DateField(_l("First day (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    neighbourhood = SelectField(_l("Neighbourhood"))
    place_kind = RadioField(_l("Kind of place"), choices=options(PLACE_KIND_LABELS.items()),
                            validate_choice=False)
    place_name = StringField(_l("Name of the place"), filters=[strip],
                             validators=[Length(max=activities.PLACE_MAX)])
    capacity = BoundedIntegerField(_l("How many families at most"), validators=[Optional()])
    languages = MultiCheckboxField(_l("Languages"))
    min_child_age = BoundedIntegerField(_l("Children from age (optional)"),
                                        validators=[Optional()])
    max_child_age = BoundedIntegerField(_l("Children up to age (optional)"),
                                        validators=[Optional()])
    requires_vetted_leader = BooleanField(_l("The leader must be checked by the Hub"))
    admission = RadioField(_l("Who can join"), choices=options(ADMISSION_LABELS.items()),
                           default="open", validate_choice=False)
    leader = SelectField(_l("Leader"), validate_choice=False)

    def __init__(self, places: Sequence[Neighbourhood], leaders: Sequence[User],
                 posters: Sequence[tuple[str, str]] = (), *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [SelectChoice("", _l("Choose…")),
                                      *neighbourhood_choices(places)]
        self.languages.choices = language_choices()
        self.leader.choices = options((person.public_id, person.name) for person in leaders)
        self.posted_by.choices = options(posters)
        if not posters:
            del self.posted_by

    def first_date_used(self) -> bool:
        """Whether a date row holds something (or a message): its fold opens by itself."""
        return any((row.form.on_date.raw_data and row.form.on_date.raw_data[0])
                   or row.form.on_date.data or row.form.start.data or row.form.end.data
                   or row.errors for row in self.dated.entries) or bool(
            [e for e in self.dated.errors if isinstance(e, str)])

    @staticmethod
    def data_of(activity: Activity) -> dict[str, Any]:
        return {
            "kind": activity.kind, "title": activity.title,
            "description": activity.description,
            "weekly": slots.weekly_rows(activity.slots),
            "dated": slots.dated_rows(activity.slots),
            "starts_on": activity.starts_on, "ends_on": activity.ends_on,
            "neighbourhood": activity.neighbourhood.slug, "place_kind": activity.place_kind,
            "place_name": activity.place_name, "capacity": activity.capacity,
            "languages": activity.languages, "min_child_age": activity.min_child_age,
            "max_child_age": activity.max_child_age,
            "requires_vetted_leader": activity.requires_vetted_leader,
            "admission": activity.admission,
            "leader": activity.leader.public_id if activity.leader else None,
        }

    def to_input(self) -> ActivityInput:
        return ActivityInput(
            kind=self.kind.data, title=self.title.data, neighbourhood=self.neighbourhood.data,
            place_kind=self.place_kind.data, place_name=self.place_name.data,
            capacity=self.capacity.data, starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, weekly=weekly_input(self.weekly),
            dated=dated_input(self.dated), languages=self.languages.data or [],
            min_child_age=self.min_child_age.data, max_child_age=self.max_child_age.data,
            requires_vetted_leader=bool(self.requires_vetted_leader.data),
            admission=self.admission.data, leader=self.leader.data,
            description=self.description.data)


def poster_choices(associations: Sequence[Association], hub: bool) -> list[tuple[str, str]]:
    """Who an activity can be posted for: the associations one manages, and the Hub."""
    choices = [(a.public_id, a.name) for a in associations]
    if hub:
        choices.append((HUB, str(_l("The Family Hub"))))
    return choices


class JoinForm(FlaskForm):
    """Asking to join a group by request: a note for the leader, optional."""

    note = TextAreaField(_l("A few words for the leader (optional)"), filters=[strip],
                         validators=[Optional(), Length(max=groups.NOTE_MAX)])


class MeetingAnswerForm(FlaskForm):
    """Two buttons, "I'm coming" and "I can't come", that send ``answer``."""

    answer = StringField(validators=[AnyOf(ANSWERS, _l("Say whether you are coming."))])


class FindForm(FlaskForm):
    """The list's filters, read from the address (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    neighbourhood = SelectField(_l("Neighbourhood"), validate_choice=False)
    kind = SelectField(_l("Kind of activity"), validate_choice=False)

    def __init__(self, places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [SelectChoice("", _l("All neighbourhoods")),
                                      *neighbourhood_choices(places)]
        self.kind.choices = [SelectChoice("", _l("All kinds")),
                             *options(KIND_LABELS.items())]
