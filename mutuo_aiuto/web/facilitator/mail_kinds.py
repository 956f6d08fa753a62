"""What a facilitator reads for the kind of a mail the service could not deliver.

The outbox stores a mail's kind as a code (its template or notice kind); the
list of undelivered mail names it in the reader's language instead, without
the mail's own subject (which may hold a family's name).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "confirm_email": _l("Address confirmation"),
    "email_taken": _l("Sign-up with an address already in use"),
    "no_account": _l("Password reset for an address without an account"),
    "password_changed": _l("Password changed"),
    "reset_password": _l("Password reset"),
    "digest": _l("Summary for the Hub"),
    "followups_due": _l("Follow-ups due"),
    "need_expiring": _l("A request about to expire"),
    "offer_expiring": _l("An offer about to expire"),
    "session_cancelled": _l("A session cancelled"),
    "session_reminder": _l("Session reminder"),
    "vetting_expiring": _l("A background check about to expire"),
    "vetting_expiring_helper": _l("A background check about to expire"),
    "calendar_link_changed": _l("Calendar address changed"),
    "association_approved": _l("An association approved"),
    "association_suspended": _l("An association suspended"),
}
ABOUT_A_PAIRING = _l("A notice about a pairing")
ABOUT_A_GROUP = _l("A notice about a group activity")
FROM_THE_HUB = _l("A notice from the Hub")


def label(kind: str | None) -> str:
    """The kind in words; notices about pairings share one label, and so do those about
    group activities (``activity_*``, ``meeting_*``, ``group_*``)."""
    if kind in LABELS:
        return str(LABELS[kind])
    if kind and kind.startswith("match_"):
        return str(ABOUT_A_PAIRING)
    if kind and kind.startswith(("activity_", "meeting_", "group_")):
        return str(ABOUT_A_GROUP)
    return str(FROM_THE_HUB)
