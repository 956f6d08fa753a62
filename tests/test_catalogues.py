"""Every string of the app is in every catalogue, translated, not fuzzy, with the same placeholders.

The strings are extracted here exactly as ``make translations`` does (babel.cfg's
mapping, setup.cfg's keywords) and compared with each
``translations/<locale>/LC_MESSAGES/messages.po``. In ``en`` the English msgid is
the text, so an empty msgstr is allowed there; the entry must still exist.

These tests fail until the catalogues are filled in; that is their job.
"""

from __future__ import annotations

import configparser
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from mutuo_aiuto.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# Languages whose msgids are already their text.
SOURCE_LANGUAGES = frozenset({"en"})
# How many missing strings to name in a failure message.
SHOWN = 25

MessageKey = tuple[str | tuple[str, ...], str | None]


def _keywords() -> dict:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    listed = parser.get("extract_messages", "keywords", fallback="").split()
    return {**DEFAULT_KEYWORDS, **parse_keywords(listed)}


@cache
def extracted() -> dict[MessageKey, list[str]]:
    """Every translatable string in the package and its templates, with where it is."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(ROOT / "babel.cfg"))
    found: dict[MessageKey, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT / "mutuo_aiuto"), method_map, options_map, keywords=_keywords()):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue  # a gettext call on a variable: nothing to translate
        key = (message if isinstance(message, str) else tuple(message), context)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def catalogue_paths() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def load(path: Path) -> Catalog:
    with open(path, "rb") as po:
        return read_po(po, abort_invalid=True)


def _msgid(key: MessageKey) -> str:
    message, context = key
    text = message if isinstance(message, str) else message[0]
    return f"[{context}] {text}" if context else text


def _lookup(catalog: Catalog, key: MessageKey) -> Message | None:
    message, context = key
    msgid = message if isinstance(message, str) else message[0]
    return catalog.get(msgid, context)


def _untranslated(entry: Message) -> bool:
    strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
    return not strings or any(not s for s in strings)


def _listing(title: str, items: list[str]) -> str:
    more = f"\n  … and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return f"{title} ({len(items)}):\n  " + "\n  ".join(items[:SHOWN]) + more


def _problems(locale: str, catalog: Catalog) -> Iterator[str]:
    missing, untranslated, fuzzy = [], [], []
    for key, where in sorted(extracted().items(), key=lambda kv: _msgid(kv[0])):
        entry = _lookup(catalog, key)
        label = f"{_msgid(key)!r} ({where[0]})"
        if entry is None:
            missing.append(label)
        elif entry.fuzzy:
            fuzzy.append(label)
        elif locale not in SOURCE_LANGUAGES and _untranslated(entry):
            untranslated.append(label)
    if missing:
        yield _listing(f"{locale}: strings not in the catalogue (run `make translations`)",
                       missing)
    if untranslated:
        yield _listing(f"{locale}: strings not translated", untranslated)
    if fuzzy:
        yield _listing(f"{locale}: fuzzy entries (check the translation, drop the flag)", fuzzy)


def test_strings_are_found_in_the_code():
    # If extraction finds nothing, every other test here passes for nothing.
    strings = {_msgid(key) for key in extracted()}
    assert "Skip to content" in strings  # base.html
    assert "Page not found" in strings  # web/errors.py, lazy_gettext
    assert len(strings) > 50


def test_every_language_has_a_catalogue():
    have = {path.parent.parent.name for path in catalogue_paths()}
    assert set(LANGUAGES) <= have, f"no catalogue for {sorted(set(LANGUAGES) - have)}"


@pytest.mark.parametrize("path", catalogue_paths(), ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete_and_not_fuzzy(path: Path):
    catalog = load(path)
    locale = path.parent.parent.name
    problems = list(_problems(locale, catalog))
    if catalog.fuzzy:
        problems.insert(0, f"{locale}: the catalogue header is marked fuzzy, so "
                           f"`pybabel compile` skips the whole catalogue")
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("path", catalogue_paths(), ids=lambda p: p.parent.parent.name)
def test_translations_keep_the_placeholders(path: Path):
    """A translation that drops or renames ``%(name)s`` breaks the page at run time."""
    errors = [f"{message.id!r}: {'; '.join(map(str, errs))}"
              for message, errs in load(path).check()]
    assert not errors, _listing(f"{path.parent.parent.name}: placeholder errors", errors)


# ---- the checker itself, on catalogues made here ----------------------------------------


def _complete_catalogue(locale: str) -> Catalog:
    catalog = Catalog(locale=locale)
    for key in extracted():
        message, context = key
        string = (tuple(f"«{part}»" for part in message) if isinstance(message, tuple)
                  else f"«{message}»")
        catalog.add(message, string, context=context)
    return catalog


def test_checker_accepts_a_complete_catalogue():
    assert list(_problems("it", _complete_catalogue("it"))) == []


def test_checker_names_a_missing_an_untranslated_and_a_fuzzy_string():
    catalog = _complete_catalogue("it")
    catalog.delete("Skip to content")
    catalog["Page not found"].string = ""
    catalog["Log in"].flags.add("fuzzy")
    report = "\n".join(_problems("it", catalog))
    assert "not in the catalogue" in report and "'Skip to content'" in report
    assert "not translated" in report and "'Page not found'" in report
    assert "fuzzy" in report and "'Log in'" in report


def test_english_may_leave_the_text_to_the_msgid_but_not_leave_it_out():
    catalog = _complete_catalogue("en")
    catalog["Page not found"].string = ""
    assert list(_problems("en", catalog)) == []
    catalog.delete("Page not found")
    assert "'Page not found'" in "\n".join(_problems("en", catalog))
