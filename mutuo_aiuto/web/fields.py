"""Form fields shared by several blueprints.

``BoundedIntegerField`` is the only integer field the forms use: WTForms'
``IntegerField`` turns any run of digits into a Python int, and a 309-digit one
makes ``NumberRange`` overflow (it asks ``math.isnan``, which converts to a
float), a 500 instead of a form error. Text longer than any number the service
keeps is refused before it is converted.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField

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
