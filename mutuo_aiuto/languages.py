"""The Hub's languages: which ones it speaks, the default, and which are written right to left.

Plain data with no Flask import, so that services, commands and the request-bound
``i18n`` module read one list.
"""

from __future__ import annotations

# Each language named in itself, for the switcher. Order: as the Hub lists them.
LANGUAGES: dict[str, str] = {
    "it": "Italiano",
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ro": "Română",
    "sq": "Shqip",
    "ar": "العربية",
    "uk": "Українська",
}
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LOCALE = "it"


def direction_of(locale: str) -> str:
    """``rtl`` or ``ltr`` for a locale code such as ``ar`` or ``ar_EG``."""
    return "rtl" if locale.split("_")[0] in RTL_LANGUAGES else "ltr"
