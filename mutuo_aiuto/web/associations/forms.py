"""Forms of the associations: the page (propose and edit), the list's filter, review.

The fields only carry what was typed; ``services.associations.check`` refuses
every problem at once, so the form's own validators are few.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from mutuo_aiuto.models import Association, AssociationStatus, Neighbourhood
from mutuo_aiuto.services.associations import LOGO_MAX_BYTES, AssociationData
from mutuo_aiuto.services.households import LANGUAGE_CODES
from mutuo_aiuto.web.filters import language_name

STATUS_LABELS = {
    AssociationStatus.PENDING.value: _l("waiting for approval"),
    AssociationStatus.APPROVED.value: _l("approved"),
    AssociationStatus.SUSPENDED.value: _l("suspended"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes; the service checks the values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _logo_bytes(value: Any) -> bytes | None:
    """The uploaded file's bytes (one byte more than allowed, to tell it is too big)."""
    if value is None or not hasattr(value, "read"):
        return None
    data = value.read(LOGO_MAX_BYTES + 1)
    return data if isinstance(data, bytes) and data else None


class AssociationForm(FlaskForm):
    name = StringField(_l("Name of the association"))
    legal_form = StringField(_l("Legal form (optional)"))
    description = TextAreaField(_l("What the association does"))
    neighbourhoods = MultiCheckboxField(_l("Neighbourhoods where it works"),
                                        validate_choice=False)
    languages = MultiCheckboxField(_l("Languages it speaks"), validate_choice=False)
    public_email = StringField(_l("Email for the public"))
    public_phone = StringField(_l("Phone for the public"))
    website = StringField(_l("Website (optional)"))
    logo = FileField(_l("Logo (optional)"))
    remove_logo = BooleanField(_l("Remove the logo"))

    def __init__(self, places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhoods.choices = [SelectChoice(p.slug, p.name) for p in places]
        self.languages.choices = [SelectChoice(code, language_name(code))
                                  for code in LANGUAGE_CODES]

    @staticmethod
    def data_of(association: Association | None) -> dict[str, Any]:
        if association is None:
            return {"languages": ["it"]}
        return {"name": association.name, "legal_form": association.legal_form or "",
                "description": association.description,
                "neighbourhoods": [p.slug for p in association.neighbourhoods],
                "languages": list(association.languages),
                "public_email": association.public_email or "",
                "public_phone": association.public_phone or "",
                "website": association.website or ""}

    def for_service(self) -> AssociationData:
        return AssociationData(
            name=_text(self.name.data), legal_form=_text(self.legal_form.data),
            description=_text(self.description.data),
            neighbourhoods=[v for v in self.neighbourhoods.data or [] if isinstance(v, str)],
            languages=[v for v in self.languages.data or [] if isinstance(v, str)],
            public_email=_text(self.public_email.data),
            public_phone=_text(self.public_phone.data), website=_text(self.website.data),
            logo=_logo_bytes(self.logo.data), remove_logo=bool(self.remove_logo.data))


class PlaceFilterForm(FlaskForm):
    """The list's filter, read from the query string: no CSRF token."""

    class Meta:
        csrf = False

    neighbourhood = SelectField(_l("Neighbourhood"), validate_choice=False)

    def __init__(self, places: Sequence[Neighbourhood], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhood.choices = [SelectChoice("", _l("All neighbourhoods")),
                                      *(SelectChoice(p.slug, p.name) for p in places)]


class StatusFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("State"), validate_choice=False, choices=[
        SelectChoice("", _l("all")),
        *(SelectChoice(code, label) for code, label in STATUS_LABELS.items())])


class SuspendForm(FlaskForm):
    note = TextAreaField(_l("Why (the coordinators read this)"))


class CoordinatorForm(FlaskForm):
    email = StringField(_l("Email of the person's account"))


class ButtonForm(FlaskForm):
    """Only the CSRF token, for buttons that POST."""
