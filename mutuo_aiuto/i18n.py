"""Languages: which one each request speaks, and dates shown in Europe/Rome.

The choice order: the member's saved preference, then a ``?lang=`` switch
(remembered in the session), then the browser's Accept-Language, then Italian.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from mutuo_aiuto.extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

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


def select_locale() -> str:
    chosen = getattr(g, "lang_override", None)
    if chosen:
        return chosen
    if not has_request_context():
        # A command or a job: no reader to ask (mails use ``force_locale``).
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def text_direction(locale: str | None = None) -> str:
    code = locale or str(get_locale() or DEFAULT_LOCALE)
    return "rtl" if code.split("_")[0] in RTL_LANGUAGES else "ltr"


def remember_language_switch() -> None:
    """``?lang=xx`` on any page switches the language and remembers it."""
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        return
    session["lang"] = lang
    g.lang_override = lang
    if current_user and current_user.is_authenticated and current_user.locale != lang:
        from mutuo_aiuto.extensions import db
        from mutuo_aiuto.services.accounts import set_locale

        set_locale(db.session, current_user, lang)
        db.session.commit()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS_DIR))
    app.before_request(remember_language_switch)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, text_direction=text_direction,
                                 get_locale=get_locale)
