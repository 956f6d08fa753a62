"""Every text message in every language fits the SMS it is meant to (issue 16).

Filled with a realistic production address for the inbox and the Hub's phone:
Latin-script languages must travel as one GSM-7 SMS (≤ 160 units, accents that
GSM-7 lacks dropped by ``gsm_friendly``). Arabic and Ukrainian need UCS-2, 70
units an SMS: the address and the phone alone take 50 of them, so their texts
take two segments (documented in docs/sms.md), never more.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.services import sms_texts
from mutuo_aiuto.services.sms_segments import GSM7, UCS2, count

URL = "https://aiuto.comune.perugia.it/inbox"
PHONE = "075 577 2000"
UCS2_LANGUAGES = {"ar", "uk"}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
@pytest.mark.parametrize("text", sms_texts.TEXTS, ids=["news", "tomorrow"])
def test_every_text_fits_its_sms_in_every_language(app, locale, text):
    with app.app_context(), force_locale(locale):
        body = sms_texts.render(text, url=URL, phone=PHONE, time="16:00")
    assert URL in body and PHONE in body and "%(" not in body
    counted = count(body)
    if locale in UCS2_LANGUAGES:
        assert counted.encoding == UCS2 and counted.segments <= 2, (body, counted)
    else:
        assert (counted.encoding, counted.segments) == (GSM7, 1), (body, counted)


def test_the_eight_languages_are_all_checked():
    assert len(LANGUAGES) == 8 and set(LANGUAGES) >= UCS2_LANGUAGES


def test_a_romanian_text_loses_only_its_accents(app):
    with app.app_context(), force_locale("ro"):
        body = sms_texts.render(sms_texts.NEWS, url=URL, phone=PHONE)
    assert body.startswith("Centrul pentru Familii: aveti noutati.")
