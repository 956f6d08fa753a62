"""How many SMS a text costs: GSM-7 or UCS-2, and how many segments (GSM 03.38, 3GPP 23.038).

A text made only of the GSM 03.38 default alphabet travels in 7-bit units: 160
in one SMS. The characters of its extension table (``{ } [ ] ~ \\ | ^ €`` and the
form feed) take two units each, an escape and the character. Any other
character (Arabic, Cyrillic, ``ă``, ``ç``, ``ê`` …) sends the whole text as UCS-2:
70 UTF-16 units in one SMS. A longer text is split into segments that each
lose room to the concatenation header: 153 units in GSM-7, 67 in UCS-2, and a
segment never splits an escape pair or a surrogate pair (so it may hold one
unit less).

``gsm_friendly`` spells a Latin text in GSM-7 where only accents stand in the
way ("Bună ziua" → "Buna ziua"), as Italian and Romanian phones themselves do:
a Romanian or French notice then costs one SMS instead of three.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# The default alphabet, in the standard's table order (0x00–0x7F).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
# The extension table: each is sent as ESC + the character, two units.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Count:
    """The encoding a text needs, its length in that encoding's units, its segments."""

    encoding: str
    units: int
    segments: int


def fits_gsm7(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def _units(text: str, encoding: str) -> list[int]:
    """Each character's units: 1 or 2 (GSM extension; UCS-2 outside the BMP)."""
    if encoding == GSM7:
        return [2 if char in GSM_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count(text: str) -> Count:
    """The encoding, units and segments of ``text`` (an empty text is one SMS)."""
    encoding = GSM7 if fits_gsm7(text) else UCS2
    units = _units(text, encoding)
    total = sum(units)
    if total <= SINGLE[encoding]:
        return Count(encoding, total, 1)
    segments, room = 1, PART[encoding]
    for size in units:  # a pair never straddles two segments
        if size > room:
            segments, room = segments + 1, PART[encoding]
        room -= size
    return Count(encoding, total, segments)


def gsm_friendly(text: str) -> str:
    """``text`` in GSM-7 when dropping accents from the characters outside it is enough;
    ``text`` unchanged otherwise (an Arabic or Ukrainian text stays as it is)."""
    if fits_gsm7(text):
        return text
    spelled = "".join(_plain(char) for char in text)
    return spelled if fits_gsm7(spelled) else text


# Punctuation phones replace the same way: typographic quotes and dashes.
_PUNCTUATION = {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-",
                "—": "-", "…": "...", "\u00a0": " "}


def _plain(char: str) -> str:
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(c))
    return base or char
