"""Numbers written as the reader's language writes them, remembered.

Babel takes tens of microseconds to write a number; a page of figures writes the
same small counts hundreds of times (the impact page some six hundred). The text
of a value in a language and format never changes, so it is kept once written.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal


def written(value: float | Decimal, locale: str, format: str | None = None) -> str:
    """``value`` as Babel's ``format_decimal`` writes it in ``locale`` ("1.234,5")."""
    # The exact spelling keeps apart what is equal as a key but written differently:
    # 1, 1.0 and True; 0.0 and -0.0.
    return _written(locale, format, repr(value), value)


@lru_cache(maxsize=8192)
def _written(locale: str, format: str | None, spelling: str, value: float | Decimal) -> str:
    return str(format_decimal(value, format=format, locale=locale))
