"""Follow-ups and background checks never share a word, in any language (issue 11).

"Verifiche" once meant both a facilitator's follow-up with both sides of a
pairing and the Hub's check of a helper's criminal record. Each catalogue now
has one word for each: the follow-up labels never use the vetting word, the
vetting labels never use the follow-up word, and the two menu-level labels
share no word at all.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from mutuo_aiuto.i18n import LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

# The word (a stem, lower case) each language uses for each notion.
FOLLOW_UP = {"en": ("follow-up",), "it": ("colloqui",), "fr": ("suivi",),
             "es": ("seguimiento",), "ro": ("monitorizare",), "sq": ("ndjekj",),
             "uk": ("контрольн",), "ar": ("متابع",)}
VETTING = {"en": ("vetting", "vetted", "check"), "it": ("controll", "casellario"),
           "fr": ("vérif",), "es": ("verific",), "ro": ("verific",), "sq": ("verifik",),
           "uk": ("перевір",), "ar": ("تحقق", "تحقّق")}
# And the words the other notion used before, which it must no longer use.
FORMER = {"it": ("verific",)}

FOLLOW_UP_IDS = re.compile(r"follow-up", re.IGNORECASE)
VETTING_IDS = re.compile(r"vett|background check|Hub's check|checked by the Hub|"
                         r"the Hub has checked|Volunteer checks|Only checked volunteers",
                         re.IGNORECASE)


@cache
def catalogue(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def texts(locale: str, pattern: re.Pattern[str], other: re.Pattern[str]
          ) -> list[tuple[str, str]]:
    """(msgid, translation) of the messages about one notion and not the other."""
    found = []
    for message in catalogue(locale):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if not ids[0] or not pattern.search(ids[0]) or other.search(ids[0]):
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(s for s in strings if s) or " ".join(ids)
        found.append((ids[0], translated.lower()))
    return found


def label(locale: str, msgid: str) -> str:
    message = catalogue(locale).get(msgid)
    assert message is not None, msgid
    return (message.string or msgid).lower()


def words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", text) if len(word) > 3}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_the_two_labels_share_no_word(locale):
    follow_ups, vetting = label(locale, "Follow-ups"), label(locale, "Vetting of helpers")
    assert any(stem in follow_ups for stem in FOLLOW_UP[locale]), follow_ups
    assert any(stem in vetting for stem in VETTING[locale]), vetting
    assert not words(follow_ups) & words(vetting), (follow_ups, vetting)


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_follow_up_messages_never_use_the_vetting_word(locale):
    messages = texts(locale, FOLLOW_UP_IDS, VETTING_IDS)
    assert len(messages) >= 10
    wrong = [(msgid, text) for msgid, text in messages
             if any(stem in text for stem in VETTING[locale])]
    assert not wrong


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_vetting_messages_never_use_the_follow_up_word(locale):
    messages = texts(locale, VETTING_IDS, FOLLOW_UP_IDS)
    assert len(messages) >= 20
    banned = FOLLOW_UP[locale] + FORMER.get(locale, ())
    wrong = [(msgid, text) for msgid, text in messages if any(stem in text for stem in banned)]
    assert not wrong
