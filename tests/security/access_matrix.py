"""The access matrix: for every route, what each kind of visitor gets.

One entry per endpoint of ``app.url_map`` (``static`` aside). An entry says
which object of the scene (``tests/security/conftest.py``) goes in its
address, and, for each method the route takes, the expected answer of each
actor, in the order of ``ACTORS``:

    anonymous  owner  other_member  helper  facilitator  admin

- *owner*: the family whose request, offer, match, person, message, reminder,
  erasure request, household or account is in the address;
- *other_member*: a member who came only to help ("give"), with a household of their own,
  unrelated to the owner;
- *helper*: the member on the other side of the owner's running match;
- *facilitator* and *admin*: staff accounts, without a household.

Answers: ``200``, ``400`` (a form shown again, refused), ``403`` (the role may
not open the page, whatever the id), ``404`` (not found, or another
member's object: the same answer, so ids cannot be probed), ``login`` (302 to
the login page), ``reauth`` (302 to type the password again), ``302`` (any
other redirect: a button done or refused with a message, a logged-in visitor
sent on, staff without a household sent to create one). A POST carries a form
that is not valid (one unknown field, nothing the form asks for), with CSRF
checks off: ``tests/test_csrf.py`` proves the tokens separately. The method a
route does not take answers 405 to everyone; the test adds those cases itself.

The open API (``/api/v1``) is asked with each actor's API token (every scope the
actor's role allows) instead of a cookie: ``401`` is the answer without a token.

Logins are fresh (the password typed again in the last minutes); entries
marked ``fresh`` ask for that, and a stale login must be sent to ``reauth``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTORS = ("anonymous", "owner", "other_member", "helper", "facilitator", "admin")
ANSWERS = ("200", "400", "401", "403", "404", "405", "login", "reauth", "302")

# What each object in an address is; keys with ``row`` are database rows whose
# integer id must find nothing (only the random public id opens them).
SCENE_KEYS: dict[str, tuple[str, bool]] = {
    "need": ("the owner's open request", True),
    "offer": ("the owner's own offer", True),
    "match": ("the running match of the owner's request with the helper's offer", True),
    "awaiting_match": ("a confirmed match of the owner's, awaiting the helper's answer", True),
    "proposal": ("the matcher's proposal for the owner's open request", True),
    "follow_up": ("the follow-up due on the running match", True),
    "member": ("a person of the owner's family", True),
    "notification": ("a message in the owner's inbox", True),
    "session_notice": ("the owner's reminder of a session of the running match", True),
    "erasure": ("the owner's pending erasure request", True),
    "household": ("the owner's household (registered at the front desk: it gave its "
                  "consent there)", True),
    "activity": ("an open group activity of an association the helper coordinates and "
                 "leads, which the owner joined (public to members: not a private row)",
                 False),
    "activity_request": ("the owner's request to join a confidential self-help group the "
                         "helper leads", True),
    "meeting_notice": ("the owner's reminder of a meeting of the club the owner joined", True),
    "account": ("the owner's account", True),
    "association": ("an approved association, with a logo (its page is public)", False),
    "own_association": ("the same association: the owner coordinates it", True),
    "category": ("a category in use (addressed by its slug: not private)", False),
    "neighbourhood": ("a neighbourhood in use (by slug)", False),
    "skill": ("a skill in use (by slug)", False),
    "calendar_token": ("the secret of the owner's calendar feed (the address is the key)",
                       False),
    "confirm_token": ("the link mailed to a new account (the link is the key)", False),
    "reset_token": ("a password-reset link mailed to the owner (the link is the key)", False),
    "led_activity": ("a group activity the owner leads, with the owner's and the helper's "
                     "families in it", True),
    "meeting_day": ("a past day the owner's group met (a date: not private)", False),
    "api_token": ("an API token issued for the owner", True),
}

# Recurring rows: anonymous, owner, other_member, helper, facilitator, admin.
EVERYONE = "200 200 200 200 200 200"
ACCOUNTS = "login 200 200 200 200 200"
ACCOUNTS_REFUSED_FORM = "login 400 400 400 400 400"
ACCOUNTS_REDIRECTED = "login 302 302 302 302 302"
# Pages of one's own household: staff accounts have none and are sent to create one.
HOUSEHOLD = "login 200 200 200 302 302"
HOUSEHOLD_FORM = "login 400 400 400 302 302"  # a new need or offer
OWN = "login 200 404 404 302 302"
OWN_FORM = "login 400 404 404 302 302"
OWN_BUTTON = "login 302 404 404 302 302"
STAFF = "login 403 403 403 200 200"
STAFF_FORM = "login 403 403 403 400 400"
STAFF_BUTTON = "login 403 403 403 302 302"
ADMIN = "login 403 403 403 403 200"
ADMIN_FORM = "login 403 403 403 403 400"
ADMIN_BUTTON = "login 403 403 403 403 302"
# A group's meetings: its leader (the owner) and staff; anyone else, even a family in it, 404.
LEADER = "login 200 404 404 200 200"
LEADER_FORM = "login 400 404 404 400 400"
# Forms for visitors who are not logged in: a logged-in account is sent on.
GUEST = "200 302 302 302 302 302"
GUEST_FORM = "400 302 302 302 302 302"
# The open API, with each actor's token: a household's own (staff have none), and staff's.
API_ANY_TOKEN = "401 200 200 200 200 200"
API_OWN = "401 200 200 200 403 403"
API_OWN_OBJECT = "401 200 404 404 403 403"
API_STAFF = "401 403 403 403 200 200"


@dataclass(frozen=True)
class Route:
    endpoint: str
    get: str | None = None
    post: str | None = None
    # URL argument -> scene key.
    args: dict[str, str] = field(default_factory=dict)
    # Needs a fresh login (password typed again recently).
    fresh: bool = False
    # Who sends hostile values to this POST route; by default the first actor
    # whose form is read (see ``poster``).
    poster: str | None = None

    def expected(self, method: str) -> dict[str, str]:
        row = {"GET": self.get, "POST": self.post}[method]
        assert row is not None, (self.endpoint, method)
        answers = row.split()
        assert len(answers) == len(ACTORS) and set(answers) <= set(ANSWERS), self
        return dict(zip(ACTORS, answers, strict=True))

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(m for m, row in (("GET", self.get), ("POST", self.post)) if row)

    def poster_actor(self) -> str:
        """Who posts hostile forms: whoever sees the form refused (400), else whoever
        gets past the role and object checks."""
        if self.poster:
            return self.poster
        answers = self.expected("POST")
        order = ("anonymous", "owner", "helper", "facilitator", "admin")
        for wanted in (("400",), ("200", "302")):
            for actor in order:
                if answers[actor] in wanted:
                    return actor
        raise AssertionError(f"nobody may post to {self.endpoint}")


R = Route


NEED, OFFER, MATCH = {"public_id": "need"}, {"public_id": "offer"}, {"public_id": "match"}
ASSOCIATION = {"public_id": "association"}
OWN_ASSOCIATION = {"public_id": "own_association"}
ACTIVITY = {"public_id": "activity"}
DESK_FAMILY = {"public_id": "household"}

ROUTES: tuple[Route, ...] = (
    # ---- main and accounts ---------------------------------------------------------------
    R("main.home", get=EVERYONE),
    R("main.healthz", get=EVERYONE),
    R("main.how_pairings_work", get=EVERYONE),
    R("main.numbers", get=EVERYONE),
    R("auth.privacy", get=EVERYONE),
    R("auth.register", get=GUEST, post=GUEST_FORM),
    R("auth.login", get=GUEST, post=GUEST_FORM),
    # Signing in by phone: the number, then the code (sent back to the number without
    # one asked for), then the welcome of a front-desk account (sent on unless it was
    # just claimed).
    R("auth.phone_login", get=GUEST, post=GUEST_FORM),
    R("auth.phone_code", get="302 302 302 302 302 302", post="302 302 302 302 302 302"),
    R("auth.welcome", get=ACCOUNTS_REDIRECTED, post=ACCOUNTS_REDIRECTED),
    # Logging out is harmless for anyone: back to the home page.
    R("auth.logout", get="302 200 200 200 200 200", post="302 302 302 302 302 302"),
    R("auth.reset_request", get=EVERYONE, post="400 400 400 400 400 400"),
    # The mailed links are the key: whoever holds one may use it.
    R("auth.reset_password", get=EVERYONE, post="400 400 400 400 400 400",
      args={"token": "reset_token"}),
    R("auth.confirm_email", get=EVERYONE, post="302 302 302 302 302 302",
      args={"token": "confirm_token"}),
    # A form that leaves fields out keeps their stored values: nothing to refuse.
    R("auth.account", get=ACCOUNTS, post=ACCOUNTS_REDIRECTED),
    R("auth.change_password", get=ACCOUNTS, post=ACCOUNTS_REFUSED_FORM),
    # ---- the family's own pages ----------------------------------------------------------
    # The other member came only to help: no family page, "about you" instead.
    R("families.household", get="login 200 302 200 302 302"),
    # Saved unchanged for a household (fields left out keep their values); staff have
    # none, so the form lacks a name. Every field of a person is optional.
    R("families.edit_household", get="login 200 302 200 200 200",
      post="login 302 302 302 400 400",
      poster="owner"),
    # A helper who is not a family (the other member): "about you", saved unchanged
    # (fields left out keep their values). The owner and the
    # helper ask for help too (the household form instead); staff go back to their work.
    R("families.about_you", get="login 302 200 302 302 302",
      post="login 302 302 302 302 302", poster="other_member"),
    R("families.add_member", post=ACCOUNTS_REDIRECTED),
    R("families.remove_member", post=OWN_BUTTON, args={"public_id": "member"}),
    # Every field is optional (the kind comes prefilled): an empty post saves as it was.
    R("families.edit_member", get=OWN, post=OWN_BUTTON, args={"public_id": "member"}),
    R("families.withdraw_consent", post=OWN_BUTTON, args={"public_id": "member"}),
    R("families.needs", get=HOUSEHOLD),
    R("families.new_need", get=HOUSEHOLD, post=HOUSEHOLD_FORM),
    R("families.need", get=OWN, args=NEED),
    R("families.edit_need", get=OWN, post=OWN_FORM, args=NEED),
    R("families.publish_need", post=OWN_BUTTON, args=NEED),
    R("families.pause_need", post=OWN_BUTTON, args=NEED),
    R("families.resume_need", post=OWN_BUTTON, args=NEED),
    R("families.cancel_need", post=OWN_BUTTON, args=NEED),
    R("families.offers", get=HOUSEHOLD),
    R("families.new_offer", get=HOUSEHOLD, post=HOUSEHOLD_FORM),
    R("families.offer", get=OWN, args=OFFER),
    R("families.edit_offer", get=OWN, post=OWN_FORM, args=OFFER),
    R("families.pause_offer", post=OWN_BUTTON, args=OFFER),
    R("families.resume_offer", post=OWN_BUTTON, args=OFFER),
    R("families.cancel_offer", post=OWN_BUTTON, args=OFFER),
    R("week.index", get=ACCOUNTS),
    # ---- messages and matches ------------------------------------------------------------
    R("inbox.index", get=ACCOUNTS),
    R("inbox.mark_read", post="login 302 404 404 404 404", args={"public_id": "notification"}),
    R("inbox.mark_all_read", post=ACCOUNTS_REDIRECTED),
    # The two sides and staff see the match; anyone else finds nothing.
    R("inbox.match", get="login 200 404 200 200 200", args=MATCH),
    # Only the helper may answer; the family and staff are told so on the match page.
    R("inbox.accept", post="login 302 404 302 302 302", args={"public_id": "awaiting_match"},
      poster="helper"),
    R("inbox.decline", post="login 302 404 302 302 302", args={"public_id": "awaiting_match"},
      poster="helper"),
    # "It's done" and "something is wrong": the two sides of the running match only (staff
    # close it themselves); hours: the helper records, the helper and staff see them.
    R("inbox.done", get="login 200 404 200 404 404", post="login 302 404 302 404 404",
      args=MATCH),
    R("inbox.problem", get="login 200 404 200 404 404", post="login 400 404 400 404 404",
      args=MATCH),
    R("inbox.hours", get="login 404 404 200 200 200", post="login 404 404 400 404 404",
      args=MATCH),
    # Feedback is the two sides' own; staff have their follow-ups.
    R("followups.feedback", get="login 200 404 200 404 404", post="login 400 404 400 404 404",
      args=MATCH),
    R("followups.session_answer", get="login 200 404 404 404 404",
      post="login 400 404 404 404 404", args={"public_id": "session_notice"}),
    R("followups.calendar", get=ACCOUNTS),
    R("followups.new_calendar_link", post=ACCOUNTS_REDIRECTED),
    R("followups.calendar_feed", get=EVERYONE, args={"token": "calendar_token"}),
    # ---- group activities (issue 12) -----------------------------------------------------
    # Every signed-in account finds activities; posting: coordinators (the owner coordinates
    # own_association, the helper another association) and staff.
    R("activities.index", get=ACCOUNTS),
    R("activities.new", get="login 200 403 200 200 200", post="login 400 403 400 400 400"),
    R("activities.detail", get=ACCOUNTS, args=ACTIVITY),
    # Managing: its leader and coordinator (the helper) and staff; anyone else finds nothing.
    R("activities.edit", get="login 404 404 200 200 200", post="login 404 404 400 400 400",
      args=ACTIVITY),
    R("activities.cancel", post="login 404 404 302 302 302", args=ACTIVITY),
    # A family's own buttons (refused with a message when they do not apply); staff have no
    # family to sign up.
    R("activities.join", post="login 302 302 302 404 404", args=ACTIVITY),
    R("activities.leave", post="login 302 302 302 404 404", args=ACTIVITY),
    # A request to join a self-help group: its leader and staff only, never the family.
    R("activities.accept", post="login 404 404 302 302 302",
      args={"public_id": "activity_request"}),
    R("activities.decline", post="login 404 404 302 302 302",
      args={"public_id": "activity_request"}),
    # "I'm coming" / "I can't come" to a group's meeting: the family's own reminder only.
    R("activities.meeting_answer", get="login 200 404 404 404 404",
      post="login 400 404 404 404 404", args={"public_id": "meeting_notice"}),
    # ---- privacy -------------------------------------------------------------------------
    R("privacy.index", get=ACCOUNTS),
    R("privacy.access", get=ACCOUNTS),
    R("privacy.export", get=ACCOUNTS, fresh=True),
    R("privacy.export_json", get=ACCOUNTS, fresh=True),
    R("privacy.erase", get=ACCOUNTS, post=ACCOUNTS_REFUSED_FORM, fresh=True),
    R("privacy.withdraw_erasure", post=ACCOUNTS_REDIRECTED),
    R("privacy.consent", get=ACCOUNTS, post=ACCOUNTS_REFUSED_FORM),
    R("privacy.reauthenticate", get=ACCOUNTS, post=ACCOUNTS_REFUSED_FORM),
    R("privacy.erasures", get=STAFF),
    R("privacy.confirm_erasure", post=STAFF_BUTTON, args={"public_id": "erasure"},
      fresh=True),
    R("privacy.decline_erasure", post=STAFF_BUTTON, args={"public_id": "erasure"},
      fresh=True),
    # ---- facilitators --------------------------------------------------------------------
    R("facilitator.dashboard", get=STAFF),
    R("facilitator.run", post=STAFF_BUTTON),
    R("facilitator.unmatched", get=STAFF),
    R("facilitator.impact", get=STAFF),
    R("facilitator.impact_csv", get=STAFF),
    R("facilitator.impact_reach", get=STAFF),
    R("facilitator.impact_journey", get=STAFF),
    R("facilitator.impact_network", get=STAFF),
    R("facilitator.impact_belonging", get=STAFF),
    # The scene has no figures computed yet: staff are sent to the impact page, which says
    # they are being prepared (tests/web/test_figure_snapshots.py downloads them).
    R("facilitator.figures_csv", get=STAFF_BUTTON),
    R("facilitator.figures_xlsx", get=STAFF_BUTTON),
    R("facilitator.refresh_figures", post=STAFF_BUTTON),
    R("facilitator.participants_csv", get=ADMIN, fresh=True),
    R("facilitator.undelivered_mail", get=STAFF),
    R("facilitator.need", get=STAFF, args=NEED),
    R("facilitator.offer", get=STAFF, args=OFFER),
    R("facilitator.pair", get=STAFF, post=STAFF_FORM, args=NEED),
    R("facilitator.confirm", get=STAFF, post=STAFF_BUTTON, args={"public_id": "proposal"}),
    R("facilitator.reject", get=STAFF, post=STAFF_FORM, args={"public_id": "proposal"}),
    R("facilitator.weights", get=ADMIN, post=ADMIN_FORM),
    R("followups.index", get=STAFF),
    # ---- groups: attendance (issue 12) -----------------------------------------------------
    R("groups.index", get=STAFF),
    R("groups.meetings", get=LEADER, args={"public_id": "led_activity"}),
    R("groups.meeting", get=LEADER, post=LEADER_FORM,
      args={"public_id": "led_activity", "day": "meeting_day"}),
    R("followups.record", get=STAFF, post=STAFF_FORM, args={"public_id": "follow_up"}),
    R("followups.close_match", get=STAFF, post=STAFF_FORM, args=MATCH),
    R("followups.vettings", get=STAFF),
    R("followups.vetting", get=STAFF, post=STAFF_FORM, args={"household_id": "household"}),
    R("followups.revoke_vetting", post=STAFF_BUTTON, args={"household_id": "household"}),
    # ---- administrators ------------------------------------------------------------------
    R("admin.index", get=ADMIN),
    R("admin.neighbourhoods", get=ADMIN),
    R("admin.new_neighbourhood", get=ADMIN, post=ADMIN_FORM),
    R("admin.edit_neighbourhood", get=ADMIN, post=ADMIN_BUTTON,
      args={"slug": "neighbourhood"}),
    R("admin.deactivate_neighbourhood", post=ADMIN_BUTTON, args={"slug": "neighbourhood"}),
    R("admin.delete_neighbourhood", post=ADMIN_BUTTON, args={"slug": "neighbourhood"}),
    R("admin.categories", get=ADMIN),
    R("admin.new_category", get=ADMIN, post=ADMIN_FORM),
    R("admin.edit_category", get=ADMIN, post=ADMIN_FORM, args={"slug": "category"}),
    R("admin.deactivate_category", post=ADMIN_BUTTON, args={"slug": "category"}),
    R("admin.delete_category", post=ADMIN_BUTTON, args={"slug": "category"}),
    R("admin.skills", get=ADMIN),
    R("admin.new_skill", get=ADMIN, post=ADMIN_FORM),
    R("admin.edit_skill", get=ADMIN, post=ADMIN_FORM, args={"slug": "skill"}),
    R("admin.deactivate_skill", post=ADMIN_BUTTON, args={"slug": "skill"}),
    R("admin.delete_skill", post=ADMIN_BUTTON, args={"slug": "skill"}),
    R("users.index", get=ADMIN),
    R("users.detail", get=ADMIN, args={"public_id": "account"}, fresh=True),
    R("users.change_role", post=ADMIN_BUTTON, args={"public_id": "account"}, fresh=True),
    R("users.deactivate", post=ADMIN_BUTTON, args={"public_id": "account"}, fresh=True),
    R("users.reactivate", post=ADMIN_BUTTON, args={"public_id": "account"}, fresh=True),
    R("users.sign_out", post=ADMIN_BUTTON, args={"public_id": "account"}),
    R("users.audit_trail", get=ADMIN),
    # ---- the front desk (issue 16) -------------------------------------------------------
    # Staff register a family in person and act for it, only for a household that gave
    # its consent at the desk (policy.can_act_for): administrators too, as staff of the
    # Hub, every act on the trail with their name. A member never acts for anyone.
    # Answering a pairing for the owner, who is not its helper, is refused with a message.
    R("desk.index", get=STAFF),
    R("desk.register", get=STAFF, post=STAFF_FORM),
    R("desk.family", get=STAFF, args=DESK_FAMILY),
    R("desk.receipt", get=STAFF, args=DESK_FAMILY),
    # Every field of a person is optional (the kind defaults to adult): added.
    R("desk.add_member", post=STAFF_BUTTON, args=DESK_FAMILY),
    R("desk.new_need", get=STAFF, post=STAFF_FORM, args=DESK_FAMILY),
    R("desk.edit_need", get=STAFF, post=STAFF_FORM,
      args={"public_id": "household", "need_id": "need"}),
    R("desk.accept", post=STAFF_BUTTON,
      args={"public_id": "household", "match_id": "awaiting_match"}),
    R("desk.decline", post=STAFF_BUTTON,
      args={"public_id": "household", "match_id": "awaiting_match"}),
    R("desk.done", post=STAFF_BUTTON, args={"public_id": "household", "match_id": "match"}),
    R("desk.problem", get=STAFF, post=STAFF_FORM,
      args={"public_id": "household", "match_id": "match"}),
    # The printable summary: the family (the owner asks in the running match) and staff;
    # the helper and anyone else find nothing.
    R("desk.summary", get="login 200 404 404 200 200", args=MATCH),
    # ---- associations --------------------------------------------------------------------
    # An approved association's page, its logo and the list are public; the owner is
    # its coordinator. Anyone logged in may propose one (the refused form) and follow it
    # (staff, who have no family, are told why); only its coordinators and administrators
    # edit it: anyone else finds nothing.
    R("associations.index", get=EVERYONE),
    R("associations.detail", get=EVERYONE, args=ASSOCIATION),
    R("associations.logo", get=EVERYONE, args=ASSOCIATION),
    R("associations.new", get=ACCOUNTS, post=ACCOUNTS_REFUSED_FORM),
    R("associations.mine", get=ACCOUNTS),
    R("associations.edit", get="login 200 404 404 404 200", post="login 400 404 404 404 400",
      args=OWN_ASSOCIATION),
    R("associations.follow", post=ACCOUNTS_REDIRECTED, args=ASSOCIATION),
    R("associations.unfollow", post=ACCOUNTS_REDIRECTED, args=ASSOCIATION),
    R("associations.review", get=ADMIN),
    R("associations.manage", get=ADMIN, args=OWN_ASSOCIATION),
    R("associations.approve", post=ADMIN_BUTTON, args=OWN_ASSOCIATION),
    R("associations.suspend", get=ADMIN, post=ADMIN_FORM, args=OWN_ASSOCIATION),
    R("associations.add_coordinator", post=ADMIN_FORM, args=OWN_ASSOCIATION),
    R("associations.remove_coordinator", post=ADMIN_BUTTON,
      args={"public_id": "own_association", "user_id": "account"}),
    R("admin.api_tokens_page", get=ADMIN),
    R("admin.new_api_token", get=ADMIN, post=ADMIN_FORM, fresh=True),
    R("admin.revoke_api_token", post=ADMIN_BUTTON, args={"public_id": "api_token"}),
    # ---- the open API (issue 14): a token, never a cookie ---------------------------------
    R("api.openapi_document", get=EVERYONE),
    R("api.me", get=API_ANY_TOKEN),
    R("api.requests_", get=API_OWN),
    R("api.request_", get=API_OWN_OBJECT, args=NEED),
    R("api.offers", get=API_OWN),
    R("api.offer", get=API_OWN_OBJECT, args=OFFER),
    R("api.proposals", get=API_STAFF),
    R("api.pairings", get=API_STAFF),
    R("api.impact_figures", get=API_STAFF),
)

BY_ENDPOINT = {route.endpoint: route for route in ROUTES}
assert len(BY_ENDPOINT) == len(ROUTES), "one entry per endpoint"
