"""Forms of the users blueprint: account search, role change, audit search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from mutuo_aiuto.models import ADMIN, FACILITATOR, MEMBER
from mutuo_aiuto.services.audit import ACTIONS

ROLE_CHOICES = [SelectChoice(MEMBER, _l("family or volunteer")),
                SelectChoice(FACILITATOR, _l("facilitator")),
                SelectChoice(ADMIN, _l("administrator"))]


class SearchForm(FlaskForm):
    """Read from the query string: a search changes nothing, so no CSRF token."""

    class Meta:
        csrf = False


class UserSearchForm(SearchForm):
    q = StringField(_l("Email or name contains"), [Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("any role")), *ROLE_CHOICES],
                       validators=[Optional()])
    state = SelectField(_l("State"), choices=[
        SelectChoice("", _l("any")),
        SelectChoice("active", lazy_pgettext("account state", "active")),
        SelectChoice("inactive", lazy_pgettext("account state", "deactivated"))],
        validators=[Optional()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])


class ButtonForm(FlaskForm):
    """Only the CSRF token, for buttons that POST."""


def _action_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("any action")),
            *(SelectChoice(code, label) for code, label in ACTIONS.items())]


class AuditSearchForm(SearchForm):
    action = SelectField(_l("Action"), choices=_action_choices(), validators=[Optional()])
    actor = StringField(_l("Who (email or name contains)"), [Optional(), Length(max=120)])
    target = StringField(_l("Reference of a family, request, offer, pairing or account"),
                         [Optional(), Length(max=16)])
    request_id = StringField(_l("Request id"), [Optional(), Length(max=64)])
    since = DateField(_l("From"), [Optional()])
    until = DateField(_l("Until (included)"), [Optional()])
