"""The words of every text message: short, in the recipient's language, with nothing private.

A text can be read by anyone who picks up the phone, and an SMS costs per
segment: so it never names a child, a family, an address or the kind of help,
and it fits one SMS (160 GSM-7 characters, 70 in Arabic or Ukrainian) with the
Hub's address and phone filled in. It only says there is news, or a time, and
where to look or whom to call. ``tests/services/test_sms_texts.py`` checks every
text in every language with a realistic address and phone.

Each text is a lazy string filled with ``url`` (the inbox page), ``phone`` (the
Hub's, HUB_PHONE) and, for reminders, ``time``; ``render`` spells Latin
languages in GSM-7 where only accents would need UCS-2 (``gsm_friendly``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from mutuo_aiuto.services.sms_segments import gsm_friendly

# TRANSLATORS: a text message (SMS). Keep it as short as the English: with the web address
# and the phone number it must fit one SMS. No other details, ever.
NEWS = _l("Family Hub: you have news. Open %(url)s or call %(phone)s")
# TRANSLATORS: a text message (SMS) the day before a session or a group meeting; %(time)s
# is like 16:00. Keep it as short as the English; no other details, ever.
TOMORROW = _l("Family Hub: reminder, you have an appointment tomorrow at %(time)s. Open %(url)s "
               "or call %(phone)s")

TEXTS = (NEWS, TOMORROW)


def render(text: Any, **values: Any) -> str:
    """``text`` in the current language, filled with ``values`` (extra ones are ignored)."""
    return gsm_friendly(str(text) % values)
