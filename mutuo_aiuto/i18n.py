"""Languages: which one each request speaks (the list itself is in ``languages``).

The choice order: a ``?lang=`` switch made while logged in (remembered in the
session only: a link must not change what the account stores, so only the
account page's POST does), the member's saved preference, a switch made before
logging in, then the browser's Accept-Language, then Italian.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from mutuo_aiuto.extensions import babel
from mutuo_aiuto.languages import DEFAULT_LOCALE, LANGUAGES, RTL_LANGUAGES, direction_of

__all__ = ["DEFAULT_LOCALE", "LANGUAGES", "RTL_LANGUAGES", "init_app", "select_locale",
           "text_direction"]

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# The session keys of a switch: the language, and the account it was made under.
SWITCH, SWITCHED_BY = "lang", "lang_for"


def select_locale() -> str:
    chosen = getattr(g, "lang_override", None)
    if chosen:
        return chosen
    if not has_request_context():
        # A command or a job: no reader to ask (mails use ``force_locale``).
        return DEFAULT_LOCALE
    remembered = session.get(SWITCH)
    if current_user and current_user.is_authenticated:
        if remembered in LANGUAGES and session.get(SWITCHED_BY) == current_user.get_id():
            return remembered
        if current_user.locale in LANGUAGES:
            return current_user.locale
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LOCALE


def text_direction(locale: str | None = None) -> str:
    return direction_of(locale or str(get_locale() or DEFAULT_LOCALE))


def remember_language_switch() -> None:
    """``?lang=xx`` on any page switches the language for this session, and only there:
    a GET (a link another site can make a browser follow) never changes the account."""
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        return
    session[SWITCH] = lang
    g.lang_override = lang
    if current_user and current_user.is_authenticated:
        session[SWITCHED_BY] = current_user.get_id()
    else:
        session.pop(SWITCHED_BY, None)


def forget_language_switch() -> None:
    """The member saved a language on the account page: that one applies from now on."""
    session.pop(SWITCH, None)
    session.pop(SWITCHED_BY, None)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS_DIR))
    app.before_request(remember_language_switch)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, text_direction=text_direction,
                                 get_locale=get_locale)
