"""The attendance sheet: one checkbox per family in the group, the notes, one submit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mutuo_aiuto.services.attendance import NOTES_MAX_CHARS


class TapList(SelectMultipleField):
    """The families as big tap targets (checkboxes styled as buttons)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AttendanceForm(FlaskForm):
    present = TapList(_l("Who came"), choices=[])
    notes = TextAreaField(_l("Notes of the meeting (optional)"),
                          validators=[Optional(), Length(max=NOTES_MAX_CHARS)])
    # The meeting's start time as the page showed it: a stale sheet is not saved.
    start = HiddenField(validators=[InputRequired()])
