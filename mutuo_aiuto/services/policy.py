"""Who may see or do what: the one module of permission checks.

Views and services ask here instead of comparing ids or roles themselves, so
a rule such as "contacts are revealed to the counterpart once the helper
accepted" lives in one place. ``is_*``/``can_*`` answer a question;
``require_*`` raise ``NotAllowed`` for services to refuse with. A check that
fails on another member's object should become a 404 in the view (never 403),
so that ids cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Exists, exists, or_, select
from sqlalchemy.orm import Session, object_session

from mutuo_aiuto.models import (
    MEMBER,
    Activity,
    ActivityKind,
    ActivityStatus,
    Admission,
    Association,
    AssociationCoordinator,
    AssociationStatus,
    ComesFor,
    Household,
    Match,
    MatchStatus,
    Need,
    Offer,
    User,
)
from mutuo_aiuto.services.errors import NotAllowed

VIEW = "view"
RESPOND = "respond"
FEEDBACK = "feedback"
MANAGE = "manage"
REPORT = "report"
RECORD_HOURS = "record_hours"
SEE_HOURS = "see_hours"
READ_REPORTS = "read_reports"
MATCH_ACTIONS = (VIEW, RESPOND, FEEDBACK, MANAGE, REPORT, RECORD_HOURS, SEE_HOURS,
                 READ_REPORTS)


def is_signed_in(user: Any) -> bool:
    """Any account that logged in, whatever its role."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_facilitator(user: Any) -> bool:
    """Facilitators and administrators: they run the matcher and see every household."""
    return is_signed_in(user) and bool(user.is_facilitator)


def is_admin(user: Any) -> bool:
    """Administrators: accounts, roles, neighbourhoods, categories, weights."""
    return is_signed_in(user) and bool(user.is_admin)


def is_member(user: Any) -> bool:
    """A family or a helper: neither facilitator nor administrator."""
    return is_signed_in(user) and user.role == MEMBER


def can_sign_in_by_phone(user: Any) -> bool:
    """Families and helpers only, and only active accounts. Staff accounts open every
    family's data and must type their strong password: a six-digit code sent by SMS
    is weaker (a shared phone, a swapped SIM)."""
    return is_member(user) and bool(user.active)


def _has_household(user: Any) -> bool:
    return getattr(user, "household", None) is not None


def is_asking_for_help(user: Any) -> bool:
    """A member who came for help (or for both), or staff who also have a household: they
    see their family's pages (the family, the requests)."""
    if is_member(user):
        return user.comes_for in (ComesFor.NEED, ComesFor.BOTH)
    return is_facilitator(user) and _has_household(user)


def is_offering_help(user: Any) -> bool:
    """A member who came to help (or for both), or staff who also have a household: they
    see their offers."""
    if is_member(user):
        return user.comes_for in (ComesFor.GIVE, ComesFor.BOTH)
    return is_facilitator(user) and _has_household(user)


def is_only_helping(user: Any) -> bool:
    """A member who came only to help: no family to describe, only "about you" (a
    neighbourhood, languages, a phone) before offering."""
    return is_member(user) and user.comes_for == ComesFor.GIVE


def is_family_or_helper(user: Any) -> bool:
    """Whoever has pages of their own beside the messages (the week): every member, and
    staff who also have a household."""
    return is_member(user) or (is_facilitator(user) and _has_household(user))


def require_facilitator(actor: Any, message: Any = None) -> None:
    """Refuse anyone but a facilitator or an administrator."""
    if not is_facilitator(actor):
        raise NotAllowed(message or _l("Only a facilitator of the Hub can do this."))


def require_admin(actor: Any) -> None:
    """Refuse anyone but an administrator whose account is active."""
    if not (is_admin(actor) and actor.active):
        raise NotAllowed(_l("Only an administrator can manage accounts."))


def has_desk_consent(household: Household | None) -> bool:
    """A household registered at the Hub's front desk, whose consent was given there."""
    return household is not None and household.desk_consent_at is not None


def can_act_for(actor: Any, household: Household | None) -> bool:
    """Whether ``actor`` may act for this family (post and edit its requests, answer a
    proposal, say a pairing is done or something is wrong, print its papers) through the
    family's own services: a facilitator or an administrator of the Hub (administrators
    also sit at the desk; every act is on the audit trail with their name), active, and
    only for a household that gave its consent at the desk. Never a member, not even for
    their own household (they act as themselves), nor for staff's own household."""
    if not (is_facilitator(actor) and actor.active and has_desk_consent(household)):
        return False
    return household is not None and household.user_id != actor.id


def require_act_for(actor: Any, household: Household | None) -> None:
    """Refuse to act for a family unless ``can_act_for`` allows it."""
    if not can_act_for(actor, household):
        raise NotAllowed(_l("The Hub can act only for a family that gave its consent "
                            "at the front desk."))


def owns(user: Any, household: Household | None) -> bool:
    return is_signed_in(user) and household is not None and household.user_id == user.id


def is_family(user: Any, match: Match) -> bool:
    """The household that asked for help in this match."""
    return owns(user, match.need.household)


def is_helper(user: Any, match: Match) -> bool:
    """The household that gives the help in this match."""
    return owns(user, match.offer.household)


def _accepted_match_between(session: Session, a: Household, b: Household) -> bool:
    """Whether a match the helper accepted, still running, joins the two households."""
    query = (select(Match.id)
             .join(Need, Need.id == Match.need_id)
             .join(Offer, Offer.id == Match.offer_id)
             .where(Match.status == MatchStatus.ACTIVE,
                    or_((Need.household_id == a.id) & (Offer.household_id == b.id),
                        (Need.household_id == b.id) & (Offer.household_id == a.id)))
             .limit(1))
    return session.execute(query).first() is not None


def can_see_contacts(viewer: Any, household: Household) -> bool:
    """Private contacts: the household itself, facilitators, and the counterpart of a match
    a facilitator confirmed and the helper accepted, while it runs (product.md: "no name,
    email or phone is shown until a facilitator has confirmed the pairing and the helper
    has accepted it"); hidden again once it is closed or cancelled."""
    if not is_signed_in(viewer):
        return False
    if owns(viewer, household) or is_facilitator(viewer):
        return True
    own = viewer.household
    session = object_session(household)
    if own is None or session is None:
        return False
    return _accepted_match_between(session, own, household)


def contacts_shown_in(viewer: Any, match: Match) -> bool:
    """Whether ``viewer`` may see the other side's name and contacts in this pairing: the
    rule of ``can_see_contacts`` read on a pairing already loaded (a page listing many
    pairings asks this instead of one query each): facilitators always; the two sides
    once the helper accepted, while it runs."""
    if is_facilitator(viewer):
        return True
    return match.status == MatchStatus.ACTIVE and (is_family(viewer, match)
                                                   or is_helper(viewer, match))


def can_see_names(viewer: Any, match: Match) -> bool:
    """Who the other side is (its name, its post's own words): facilitators always; the
    two sides only once the helper accepted (product.md: "only now do both sides see
    each other's names and contacts"). Before, the helper decides on the kind of help,
    times, neighbourhood, children's ages and languages alone, and the family knows a
    helper was asked; a pairing declined or left unanswered never reveals anyone."""
    if is_facilitator(viewer):
        return True
    sides = is_family(viewer, match) or is_helper(viewer, match)
    accepted = match.accepted_at is not None or match.status in (MatchStatus.ACTIVE,
                                                                  MatchStatus.CLOSED)
    return sides and accepted


def can_see_address(viewer: Any, household: Household, match: Match) -> bool:
    """A home address: the household itself and facilitators; the helper sees the
    family's only while the accepted pairing runs and only where the help happens at the
    family's home. Nobody is told a helper's address: the help never happens there."""
    if owns(viewer, household) or is_facilitator(viewer):
        return True
    return (household.id == match.need.household_id and bool(match.need.at_home)
            and match.status == MatchStatus.ACTIVE and is_helper(viewer, match))


def _helps_with(session: Session, user: Any, need: Need) -> bool:
    query = (select(Match.id).join(Offer, Offer.id == Match.offer_id)
             .join(Household, Household.id == Offer.household_id)
             .where(Match.need_id == need.id, Match.status == MatchStatus.ACTIVE,
                    Household.user_id == user.id)
             .limit(1))
    return session.execute(query).first() is not None


def can_view_need(user: Any, need: Need) -> bool:
    """The family, facilitators, and the helper of a running match for this need once
    they accepted it (before, the request's own words could name the family)."""
    if owns(user, need.household) or is_facilitator(user):
        return True
    session = object_session(need)
    return is_signed_in(user) and session is not None and _helps_with(session, user, need)


def can_view_offer(user: Any, offer: Offer) -> bool:
    """The helper and facilitators; a family sees the offer through its match page."""
    return owns(user, offer.household) or is_facilitator(user)


def can_act_on_match(user: Any, match: Match, action: str = VIEW) -> bool:
    """``view``: the two sides and facilitators; ``respond`` (accept or decline): the
    helper while the match awaits an answer; ``feedback``: the two sides once it runs or
    ran; ``manage`` (confirm, close, cancel): facilitators; ``report`` ("it's done",
    "something is wrong"): the two sides while it runs; ``record_hours``: the helper
    while it runs; ``see_hours``: the helper and facilitators; ``read_reports`` (what a
    side told the Hub privately): facilitators only, never the other side."""
    if action not in MATCH_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action in (MANAGE, READ_REPORTS):
        return is_facilitator(user)
    if action == RECORD_HOURS:
        return match.status == MatchStatus.ACTIVE and is_helper(user, match)
    if action == SEE_HOURS:
        # The helper's hours exist once they said yes: nothing to see while deciding.
        return is_facilitator(user) or (is_helper(user, match) and match.status in (
            MatchStatus.ACTIVE, MatchStatus.CLOSED, MatchStatus.CANCELLED))
    if action == REPORT:
        return match.status == MatchStatus.ACTIVE and (is_family(user, match)
                                                       or is_helper(user, match))
    if action == RESPOND:
        return match.status == MatchStatus.AWAITING and is_helper(user, match)
    sides = is_family(user, match) or is_helper(user, match)
    if action == FEEDBACK:
        return sides and match.status in (MatchStatus.ACTIVE, MatchStatus.CLOSED)
    return sides or is_facilitator(user)


def can_print_summary(user: Any, match: Match) -> bool:
    """The one-page summary of a confirmed pairing (issue 16), made for the family: the
    family itself and staff (who hand it over at the desk), while the pairing awaits the
    helper's answer or runs. What it shows is what the family may see (``can_see_names``,
    ``contacts_shown_in``, ``can_see_address`` asked for the family), whoever prints it."""
    if match.status not in (MatchStatus.AWAITING, MatchStatus.ACTIVE):
        return False
    return is_facilitator(user) or is_family(user, match)


def counterpart(user: User, match: Match) -> Household | None:
    """The other side of the match for one of its sides (None for anyone else)."""
    if is_family(user, match):
        return match.offer.household
    if is_helper(user, match):
        return match.need.household
    return None


# ---- Associations -------------------------------------------------------------------------
# A family association's page and its coordinators (issue 12). The other features of
# associations (activities, sign-ups, attendance) ask these by these names.


def is_coordinator_of(user: Any, association: Association | None) -> bool:
    """One of the association's coordinators, while it is approved or pending (a suspended
    association has none who may act). Administrators are not coordinators. The Hub's
    own activities have no association (None): nobody coordinates them."""
    if association is None or association.status == AssociationStatus.SUSPENDED:
        return False
    return _listed_coordinator(user, association)


def can_manage_association(user: Any, association: Association | None) -> bool:
    """Edit the page and act for the association: its coordinators while it is not
    suspended, and administrators."""
    if association is None:
        return False
    return is_coordinator_of(user, association) or (is_admin(user) and user.active)


def _listed_coordinator(user: Any, association: Association) -> bool:
    return is_signed_in(user) and any(c.user_id == user.id for c in association.coordinators)


def can_view_association(user: Any, association: Association) -> bool:
    """The page: anyone once approved; before (pending) or after (suspended) only its
    coordinators, even of a suspended one, to read the administrator's note, and staff."""
    if association.status == AssociationStatus.APPROVED or is_facilitator(user):
        return True
    return _listed_coordinator(user, association)


def can_see_association_status(user: Any, association: Association) -> bool:
    """Its state and the administrator's note: its coordinators (even while suspended)
    and staff."""
    return is_facilitator(user) or _listed_coordinator(user, association)


def coordinates_an_association(user: Any) -> bool:
    """Whether the account is listed as a coordinator of any association (the menu's
    "My association"), suspended ones included, to read the note."""
    if not is_signed_in(user):
        return False
    session = object_session(user)
    if session is None:
        return False
    return bool(session.execute(select(coordinator_clause(user))).scalar())


def coordinator_clause(user: Any) -> Exists:
    """Whether ``user`` coordinates any association, as an SQL ``EXISTS``."""
    return exists().where(AssociationCoordinator.user_id == user.id)


def can_review_associations(user: Any) -> bool:
    """Approve, suspend, re-approve associations and name their coordinators: administrators."""
    return is_admin(user) and bool(user.active)


def can_propose_association(user: Any) -> bool:
    """Propose a new association: any signed-in member of the service (staff too)."""
    return is_signed_in(user)


def can_follow_associations(user: Any) -> bool:
    """Follow an association: an account with a household (its family page lists them)."""
    return is_signed_in(user) and _has_household(user)


def require_association_manager(actor: Any, association: Association) -> None:
    """Refuse anyone who may not manage this association (or while it is suspended)."""
    if not can_manage_association(actor, association):
        raise NotAllowed(_l("Only the association's coordinators can do this."))


def require_association_reviewer(actor: Any) -> None:
    """Refuse anyone but an active administrator."""
    if not can_review_associations(actor):
        raise NotAllowed(_l("Only an administrator can approve or suspend associations."))


# ---- Attendance ------------------------------------------------------------------------


def can_record_attendance(user: Any, activity: Activity) -> bool:
    """The activity's leader and the Hub's facilitators open its meetings, record who came
    and read the meeting notes; nobody else (not the association's other coordinators, nor
    another association's), so a self-help group's attendance stays with its facilitator."""
    if is_facilitator(user):
        return True
    return (is_signed_in(user) and activity.leader_id is not None
            and activity.leader_id == user.id)


# ---- Activities -----------------------------------------------------------------------


def is_leader(user: Any, activity: Activity) -> bool:
    """The person who runs the group's meetings."""
    return is_signed_in(user) and activity.leader_id is not None and activity.leader_id == user.id


def can_post_activity(user: Any, association: Association | None) -> bool:
    """An association's activity: who can manage it; the Hub's own: facilitators."""
    if association is None:
        return is_facilitator(user)
    return can_manage_association(user, association)


def can_manage_activity(user: Any, activity: Activity) -> bool:
    """Edit, cancel, accept or decline families: facilitators for every activity, the
    leader, and the coordinators of the association that posted it (while they may
    manage it). A self-help group's coordinators other than its leader may not: who is
    in it is for the leader and the facilitators alone."""
    if is_facilitator(user) or is_leader(user, activity):
        return True
    if activity.confidential:
        return False
    return can_manage_association(user, activity.association)


def can_see_members(user: Any, activity: Activity) -> bool:
    """Who is in the group, who asks and what they wrote: a confidential group's leader
    and the facilitators only; an open one's also its association's coordinators (never
    another association's), never the other members."""
    return can_manage_activity(user, activity)


def can_join(user: Any, activity: Activity) -> bool:
    """A family (a member with a household, or staff with one) may sign up or ask to join
    an activity that is open; its own leader may not join it."""
    return (activity.status == ActivityStatus.OPEN and _has_household(user)
            and is_family_or_helper(user) and not is_leader(user, activity))


def joins_by_request(activity: Activity) -> bool:
    """A self-help group, or one the poster made by request: the leader accepts each."""
    return (activity.kind == ActivityKind.SELF_HELP
            or activity.admission == Admission.BY_REQUEST)


# ---- the open API (issue 14) ---------------------------------------------------------
# A token acts as its account: it reads what its scopes name *and* the account's role
# allows today, so a facilitator made a member again loses ``facilitator:read`` at once.

SCOPE_OWN = "own:read"
SCOPE_FACILITATOR = "facilitator:read"
SCOPE_IMPACT = "impact:read"
API_SCOPES = (SCOPE_OWN, SCOPE_FACILITATOR, SCOPE_IMPACT)


def api_scopes_for(user: Any) -> tuple[str, ...]:
    """The scopes a token of this account may carry: its household's own requests and
    offers for whoever has pages of their own; proposals, pairings and the impact figures
    for staff. An inactive account may carry none."""
    if user is None or not getattr(user, "active", False):
        return ()
    scopes: list[str] = []
    if is_member(user) or (bool(user.is_facilitator) and _has_household(user)):
        scopes.append(SCOPE_OWN)
    if bool(user.is_facilitator):
        scopes += [SCOPE_FACILITATOR, SCOPE_IMPACT]
    return tuple(scopes)


def can_use_api_scope(user: Any, granted: Any, scope: str) -> bool:
    """Whether a token with the ``granted`` scopes, acting as ``user``, may read ``scope``."""
    return scope in (granted or ()) and scope in api_scopes_for(user)


def can_use_api_token(token: Any, now: datetime) -> bool:
    """A token works while it is not revoked, not past its last day, and its account is
    active."""
    if token.revoked_at is not None or not token.user.active:
        return False
    expires = token.expires_at
    if expires is None:
        return True
    return bool((expires if expires.tzinfo else expires.replace(tzinfo=UTC)) > now)


def can_issue_api_tokens(user: Any) -> bool:
    """Issue and revoke API tokens: active administrators."""
    return is_admin(user) and bool(user.active)


def require_api_token_admin(actor: Any) -> None:
    if not can_issue_api_tokens(actor):
        raise NotAllowed(_l("Only an administrator can issue or revoke API tokens."))
