"""Forms of the front desk: registering a family in person (the household form's fields,
plus its language, what it comes for and its consent), and saying what is wrong."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TelField
from wtforms.validators import DataRequired, Length

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.services.desk import DeskRegistration
from mutuo_aiuto.web.families.forms import HouseholdForm, options, strip

COMES_FOR_CHOICES = [("need", _l("Help for the family")), ("give", _l("To help others")),
                     ("both", _l("Both"))]


class RegisterFamilyForm(HouseholdForm):
    """The household form (the same fields and rules), filled by a facilitator."""

    phone = TelField(_l("Phone"), filters=[strip],
                     validators=[DataRequired(_l("Write the family's phone number: the Hub "
                                                 "reaches it there.")), Length(max=30)])
    locale = SelectField(_l("The family's language for the Hub's messages and papers"),
                         choices=options(LANGUAGES.items()), default="it")
    comes_for = RadioField(_l("The family comes for"), choices=options(COMES_FOR_CHOICES),
                           default="need")
    consent = BooleanField(_l("The family heard the privacy notice in its language and "
                              "agrees that the Hub keeps its data and acts for it"))

    def to_registration(self) -> DeskRegistration:
        fields = self.fields_for_service()
        return DeskRegistration(
            name=fields["name"], phone=fields["phone"], neighbourhood=fields["neighbourhood"],
            languages=fields["languages"], address=fields["address"],
            care_notes=fields["care_notes"], locale=self.locale.data or "",
            comes_for=self.comes_for.data or "", consent=bool(self.consent.data))
