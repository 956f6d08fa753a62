"""Form fields shared by several blueprints.

``BoundedIntegerField`` is the only integer field the forms use: WTForms'
``IntegerField`` turns any run of digits into a Python int, and a 309-digit one
makes ``NumberRange`` overflow (it asks ``math.isnan``, which converts to a
float), a 500 instead of a form error. Text longer than any number the service
keeps is refused before it is converted.

``QuickSelectField`` is WTForms' ``SelectField`` with a widget that writes a plain
option (no attributes of its own) straight into the markup WTForms would write, and
``QuickCheckboxInput`` a checkbox whose attributes are written by ``html_params``'
quicker twin: WTForms builds each attribute through ``Markup.format`` (about 25 µs
an option), and the Hub's hundred neighbourhoods, or a form's skills, languages and
days, are drawn on every page that filters or asks for them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import Choice
from wtforms.widgets import CheckboxInput, Select
from wtforms.widgets.core import clean_key

# No integer the service keeps needs more characters than this (a sign and 9 digits).
MAX_INTEGER_CHARACTERS = 10


class BoundedIntegerField(IntegerField):
    """An ``IntegerField`` that refuses, as a form error, text too long to be a number we keep."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str) and (
                len(valuelist[0].strip()) > MAX_INTEGER_CHARACTERS):
            self.data = None
            raise ValueError(str(_l("This number is too large.")))
        super().process_formdata(valuelist)


def quick_html_params(**kwargs: Any) -> Markup:
    """WTForms' ``html_params`` (the same text, attributes sorted by name, ``True`` a
    bare attribute, ``False`` none) without ``Markup.format``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(escape(clean_key(key)))
        elif value is not False:
            shown = escape(value).replace(Markup('"'), Markup("&quot;"))
            # Both parts escaped just above: the f-string joins escaped text only.
            params.append(Markup(f'{escape(clean_key(key))}="{shown}"'))  # nosec B704
    return Markup(" ").join(params)


class QuickCheckboxInput(CheckboxInput):
    """WTForms' ``CheckboxInput``, its attributes written by ``quick_html_params``."""

    html_params = staticmethod(quick_html_params)


class QuickSelect(Select):
    """WTForms' ``Select``, writing a plain option without ``html_params``: the same
    markup (attributes in ``html_params``' sorted order: ``selected``, then ``value``)."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        # As html_params does: escape() leaves a Markup value's quotes as they are.
        shown = escape(value).replace(Markup('"'), Markup("&quot;"))
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        # ``shown`` and ``label`` escaped just above, ``selected`` a constant.
        return Markup(f'<option {selected}value="{shown}">{label}</option>')  # nosec B704


class QuickSelectField(SelectField):
    """A ``SelectField`` drawn by ``QuickSelect`` (for long lists of choices)."""

    widget = QuickSelect()
