"""SMS segments (issue 16): GSM-7 or UCS-2, counted by hand against GSM 03.38."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.services.sms_segments import (
    GSM7,
    GSM_BASIC,
    GSM_EXTENSION,
    UCS2,
    Count,
    count,
    gsm_friendly,
)


def test_the_alphabets_have_the_standards_sizes():
    # 128 positions in the default table (ESC included), 10 in the extension table.
    assert len(GSM_BASIC) == 128
    assert len(GSM_EXTENSION) == 10
    assert not GSM_BASIC & GSM_EXTENSION


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", GSM7, 0, 1),
    ("Ciao! Hai notizie dal Centro per le Famiglie.", GSM7, 45, 1),
    ("a" * 160, GSM7, 160, 1),                   # exactly one SMS
    ("a" * 161, GSM7, 161, 2),                   # 153 + 8
    ("a" * 306, GSM7, 306, 2),                   # 153 + 153
    ("a" * 307, GSM7, 307, 3),
    ("€" * 80, GSM7, 160, 1),                    # extension: two units each
    ("€" * 81, GSM7, 162, 2),
    ("è à ù ì ò é É Ç Ñ ü ß", GSM7, 21, 1),     # Italian accents are in the basic set
    ("{[]}", GSM7, 8, 1),
    ("ç", UCS2, 1, 1),                           # lowercase ç is not (only Ç)
    ("Bună ziua", UCS2, 9, 1),                   # Romanian ă
    ("ب" * 70, UCS2, 70, 1),
    ("ب" * 71, UCS2, 71, 2),                     # 67 + 4
    ("Привіт" * 23, UCS2, 138, 3),               # 67 + 67 + 4
    ("😀" * 35, UCS2, 70, 1),                    # outside the BMP: a surrogate pair each
])
def test_hand_counted_texts(text, encoding, units, segments):
    assert count(text) == Count(encoding, units, segments)


def test_an_escape_pair_never_straddles_two_segments():
    # 152 + 2×77 = 306 units: 153 + 153 by division, but segment one ends with room for
    # one unit, so the first "€" opens segment two (152 units, room for one again),
    # and the last "€" a third.
    assert count("a" * 152 + "€" * 77) == Count(GSM7, 306, 3)
    # Without the pair at the boundary the same length takes two.
    assert count("a" * 153 + "€" * 76 + "a") == Count(GSM7, 306, 2)


def test_a_surrogate_pair_never_straddles_two_segments():
    # 66 + 2 + 66 = 134 units = 2 × 67, but the emoji cannot share segment one's last
    # unit: 66 | 2 + 65 | 1.
    assert count("ب" * 66 + "😀" + "ب" * 66) == Count(UCS2, 134, 3)


def test_gsm_friendly_drops_only_the_accents_that_stand_in_the_way():
    assert gsm_friendly("Bună ziua, ați primit") == "Buna ziua, ati primit"
    assert gsm_friendly("ça va? Très bien, à demain") == "ca va? Très bien, à demain"
    assert gsm_friendly("Hai notizie – apri “la pagina”") == 'Hai notizie - apri "la pagina"'
    assert gsm_friendly("Нові новини") == "Нові новини"      # stays Cyrillic
    assert gsm_friendly("لديك أخبار") == "لديك أخبار"


@given(st.text(max_size=400))
def test_segments_bound_the_units(text):
    counted = count(text)
    single = 160 if counted.encoding == GSM7 else 70
    part = 153 if counted.encoding == GSM7 else 67
    if counted.units <= single:
        assert counted.segments == 1
    else:
        # At least the plain division, at most one more per pair that had to move.
        assert counted.segments >= -(-counted.units // part)
        assert counted.segments <= -(-counted.units // (part - 1))
