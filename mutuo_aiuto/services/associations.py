"""Family associations: propose one, review it, edit its page, name coordinators, follow it.

A member proposes an association and becomes its first coordinator; it stays
pending (seen only by its coordinators and staff) until an administrator
approves it. An administrator may suspend it with a note the coordinators
read, approve it again, and add or remove coordinators. Families follow
approved associations. Every change is audited; permissions are
``policy``'s (section "Associations"). No Flask here: the web layer passes the
session, the actor and the moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    Activity,
    ActivityStatus,
    Association,
    AssociationCoordinator,
    AssociationFollower,
    AssociationStatus,
    Household,
    Neighbourhood,
    User,
)
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.accounts import looks_like_email, normalise_email
from mutuo_aiuto.services.errors import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    Problems,
)
from mutuo_aiuto.services.households import LANGUAGE_CODES
from mutuo_aiuto.services.notifications import notify

NAME_MAX = 120
LEGAL_FORM_MAX = 60
DESCRIPTION_MAX = 2000
EMAIL_MAX = 254
PHONE_MAX = 40
WEBSITE_MAX = 300
NOTE_MAX = 500
LOGO_MAX_BYTES = 200 * 1024
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,40}$")
WEBSITE_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s<>\"']*$", re.IGNORECASE)

# What a logo's first bytes must be: the file's own signature, whatever its name says.
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}


def logo_type(data: bytes) -> str | None:
    """The content type a logo's bytes show (PNG, JPEG or WebP), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_logo(data: bytes) -> str:
    """The logo's content type; refuses a file that is too big or not a PNG/JPEG/WebP."""
    if len(data) > LOGO_MAX_BYTES:
        raise DomainError(_l("The logo is too big: at most 200 KB."), field="logo")
    found = logo_type(data)
    if found is None:
        raise DomainError(_l("The logo must be a PNG, JPEG or WebP image."), field="logo")
    return found


@dataclass(frozen=True)
class AssociationData:
    """What the proposal and edit forms give; ``logo`` None keeps the stored one."""

    name: str = ""
    legal_form: str = ""
    description: str = ""
    neighbourhoods: list[str] = field(default_factory=list)  # slugs
    languages: list[str] = field(default_factory=list)
    public_email: str = ""
    public_phone: str = ""
    website: str = ""
    logo: bytes | None = None
    remove_logo: bool = False


@dataclass(frozen=True)
class _Checked:
    places: list[Neighbourhood]
    logo_type: str | None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _check_name(session: Session, name: str, own: Association | None) -> None:
    if not name:
        raise DomainError(_l("Give the association's name."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("The name is too long."), field="name")
    query = select(Association.id).where(func.lower(Association.name) == name.lower())
    if own is not None:
        query = query.where(Association.id != own.id)
    if session.execute(query.limit(1)).first() is not None:
        raise DomainError(_l("An association with this name is already on the service."),
                          field="name")


def _check_description(text: str) -> None:
    if not text:
        raise DomainError(_l("Say in a few words what the association does."),
                          field="description")
    if len(text) > DESCRIPTION_MAX:
        raise DomainError(_l("The description is too long: at most 2000 characters."),
                          field="description")


def _check_places(session: Session, slugs: list[str]) -> list[Neighbourhood]:
    wanted = sorted({slug for slug in slugs if isinstance(slug, str)})
    if not wanted:
        raise DomainError(_l("Choose at least one neighbourhood."), field="neighbourhoods")
    places = list(session.scalars(select(Neighbourhood).where(
        Neighbourhood.slug.in_(wanted), Neighbourhood.active.is_(True))
        .order_by(Neighbourhood.name)))
    if len(places) != len(wanted):
        raise DomainError(_l("Choose neighbourhoods from the list."), field="neighbourhoods")
    return places


def _check_languages(codes: list[str]) -> None:
    if not codes:
        raise DomainError(_l("Choose at least one language."), field="languages")
    if any(code not in LANGUAGE_CODES for code in codes):
        raise DomainError(_l("Choose languages from the list."), field="languages")


def _check_contact(data: AssociationData) -> None:
    email, phone = _text(data.public_email), _text(data.public_phone)
    problems = Problems()
    if not email and not phone:
        problems.errors.append(DomainError(
            _l("Give an email or a phone number for the public."), field="public_email"))
    if email and (len(email) > EMAIL_MAX or not looks_like_email(email)):
        problems.errors.append(DomainError(_l("Enter an email address like name@example.org."),
                                           field="public_email"))
    if phone and not PHONE_PATTERN.match(phone):
        problems.errors.append(DomainError(_l("Enter a phone number, for example 075 123 4567."),
                                           field="public_phone"))
    problems.raise_any()


def _check_website(url: str) -> None:
    if url and (len(url) > WEBSITE_MAX or not WEBSITE_PATTERN.match(url)):
        raise DomainError(_l("Enter the website's full address, starting with https://."),
                          field="website")


def check(session: Session, data: AssociationData,
          own: Association | None = None) -> _Checked:
    """Every field at once; raises ``DomainErrors`` listing each refusal."""
    problems = Problems()
    problems.check(_check_name, session, _text(data.name), own)
    if len(_text(data.legal_form)) > LEGAL_FORM_MAX:
        problems.errors.append(DomainError(_l("The legal form is too long."),
                                           field="legal_form"))
    problems.check(_check_description, _text(data.description))
    places = problems.check(_check_places, session, list(data.neighbourhoods))
    problems.check(_check_languages, list(data.languages))
    problems.check(_check_contact, data)
    problems.check(_check_website, _text(data.website))
    found = problems.check(check_logo, data.logo) if data.logo is not None else None
    problems.raise_any()
    return _Checked(places or [], found)


def _apply(association: Association, data: AssociationData, checked: _Checked) -> list[str]:
    """Write the checked data; the names of the fields that changed."""
    values = {
        "name": _text(data.name), "legal_form": _text(data.legal_form) or None,
        "description": _text(data.description),
        "languages": [code for code in LANGUAGE_CODES if code in data.languages],
        "public_email": normalise_email(_text(data.public_email)) or None,
        "public_phone": _text(data.public_phone) or None,
        "website": _text(data.website) or None,
    }
    changed = [name for name, value in values.items() if getattr(association, name) != value]
    for name, value in values.items():
        setattr(association, name, value)
    if [p.id for p in association.neighbourhoods] != [p.id for p in checked.places]:
        association.neighbourhoods = checked.places
        changed.append("neighbourhoods")
    if data.logo is not None:
        association.logo, association.logo_type = data.logo, checked.logo_type
        changed.append("logo")
    elif data.remove_logo and association.logo is not None:
        association.logo = association.logo_type = None
        changed.append("logo")
    return changed


# ---- proposing and editing ------------------------------------------------------------------


def propose(session: Session, actor: User, data: AssociationData) -> Association:
    """A new association, pending, with ``actor`` as its first coordinator."""
    if not policy.can_propose_association(actor):
        raise NotAllowed(_l("Log in to propose an association."))
    checked = check(session, data)
    association = Association(status=AssociationStatus.PENDING.value, created_by_id=actor.id)
    _apply(association, data, checked)
    association.coordinators.append(AssociationCoordinator(user_id=actor.id))
    session.add(association)
    session.flush()
    audit.record(session, actor, audit.ASSOCIATION_PROPOSED, target=association)
    return association


def update(session: Session, actor: User, association: Association,
           data: AssociationData) -> list[str]:
    """Save the page's new text and logo; the names of the fields that changed."""
    policy.require_association_manager(actor, association)
    changed = _apply(association, data, check(session, data, association))
    session.flush()
    if changed:
        audit.record(session, actor, audit.ASSOCIATION_EDITED, target=association,
                     details={"fields": sorted(changed)})
    return changed


# ---- review ------------------------------------------------------------------------------


def approve(session: Session, actor: User, association: Association, *,
            now: datetime) -> None:
    """Make the page public (a pending one, or a suspended one again)."""
    policy.require_association_reviewer(actor)
    if association.status == AssociationStatus.APPROVED:
        raise InvalidTransition(_l("This association is already approved."))
    was = association.status
    association.status = AssociationStatus.APPROVED.value
    association.status_note = None
    association.approved_at = now
    session.flush()
    audit.record(session, actor, audit.ASSOCIATION_APPROVED, target=association,
                 details={"from": was})
    _tell_coordinators(session, association, "association_approved", now)


def check_note(note: str) -> str:
    text = _text(note)
    if not text:
        raise DomainError(_l("Say why, for the coordinators to read."), field="note")
    if len(text) > NOTE_MAX:
        raise DomainError(_l("The note is too long: at most 500 characters."), field="note")
    return text


def suspend(session: Session, actor: User, association: Association, note: str) -> None:
    """Hide the page and stop its coordinators acting; they read ``note``."""
    policy.require_association_reviewer(actor)
    text = check_note(note)
    if association.status == AssociationStatus.SUSPENDED:
        raise InvalidTransition(_l("This association is already suspended."))
    was = association.status
    association.status = AssociationStatus.SUSPENDED.value
    association.status_note = text
    session.flush()
    audit.record(session, actor, audit.ASSOCIATION_SUSPENDED, target=association,
                 details={"from": was})
    _tell_coordinators(session, association, "association_suspended", None, note=text)


def _tell_coordinators(session: Session, association: Association, kind: str,
                       now: datetime | None, **params: Any) -> None:
    """Each active coordinator hears of the administrator's decision, by notice and mail in
    their own language (the suspension with the administrator's note, for them to read)."""
    for coordinator in sorted(association.coordinators, key=lambda c: c.id):
        if coordinator.user.active:
            notify(session, coordinator.user, kind, now=now, association=association.name,
                   association_id=association.public_id, **params)


def add_coordinator(session: Session, actor: User, association: Association,
                    email: str) -> User:
    """Name the account with this email a coordinator."""
    policy.require_association_reviewer(actor)
    address = normalise_email(_text(email))
    if not address:
        raise DomainError(_l("Give the email of the person's account."), field="email")
    user = session.scalars(select(User).where(func.lower(User.email) == address)).first()
    if user is None:
        raise DomainError(_l("No account has this email. The person must sign up first."),
                          field="email")
    if any(c.user_id == user.id for c in association.coordinators):
        raise DomainError(_l("This person is already a coordinator."), field="email")
    association.coordinators.append(AssociationCoordinator(user_id=user.id))
    session.flush()
    audit.record(session, actor, audit.COORDINATOR_ADDED, target=association,
                 details={"user": user.public_id})
    return user


def remove_coordinator(session: Session, actor: User, association: Association,
                       user_public_id: str) -> None:
    """Remove a coordinator; an association keeps at least one."""
    policy.require_association_reviewer(actor)
    found = [c for c in association.coordinators if c.user.public_id == user_public_id]
    if not found:
        raise NotFound(_l("This person is not a coordinator of the association."))
    if len(association.coordinators) == 1:
        raise DomainError(_l("An association keeps at least one coordinator: add another "
                             "before removing this one."))
    association.coordinators.remove(found[0])
    session.flush()
    audit.record(session, actor, audit.COORDINATOR_REMOVED, target=association,
                 details={"user": user_public_id})


# ---- following ------------------------------------------------------------------------------


def _follower(session: Session, household: Household,
              association: Association) -> AssociationFollower | None:
    return session.scalars(select(AssociationFollower).where(
        AssociationFollower.association_id == association.id,
        AssociationFollower.household_id == household.id)).first()


def follows(session: Session, household: Household | None,
                 association: Association) -> bool:
    return household is not None and _follower(session, household, association) is not None


def follow(session: Session, user: User, association: Association) -> None:
    """The user's family follows an approved association (once)."""
    if not policy.can_follow_associations(user):
        raise NotAllowed(_l("Describe your family first: then you can follow associations."))
    if association.status != AssociationStatus.APPROVED:
        raise NotFound(_l("This association is not on the service."))
    household = user.household
    if household is None:  # can_follow_associations said there is one
        raise NotAllowed(_l("Describe your family first: then you can follow associations."))
    if _follower(session, household, association) is None:
        session.add(AssociationFollower(association_id=association.id,
                                        household_id=household.id))
        session.flush()


def unfollow(session: Session, user: User, association: Association) -> None:
    """Stop following; nothing happens when the family did not follow it."""
    household = getattr(user, "household", None)
    row = _follower(session, household, association) if household is not None else None
    if row is not None:
        session.delete(row)
        session.flush()


# ---- reading -------------------------------------------------------------------------------


def _with_places() -> Any:
    return select(Association).options(selectinload(Association.neighbourhoods))


def get(session: Session, public_id: str) -> Association:
    found = session.scalars(select(Association).options(
        selectinload(Association.neighbourhoods),
        selectinload(Association.coordinators).selectinload(AssociationCoordinator.user))
        .where(Association.public_id == str(public_id))).first()
    if found is None:
        raise NotFound(_l("This association is not on the service."))
    return found


def public_list(session: Session, neighbourhood: str | None = None) -> list[Association]:
    """Approved associations by name; only those in ``neighbourhood`` (a slug) if given."""
    query = _with_places().where(Association.status == AssociationStatus.APPROVED)
    if neighbourhood:
        query = query.where(Association.neighbourhoods.any(Neighbourhood.slug == neighbourhood))
    return list(session.scalars(query.order_by(Association.name)))


def for_review(session: Session, status: str | None = None) -> list[Association]:
    """Associations for the administrators, pending first, then by name."""
    query = _with_places()
    if status in {s.value for s in AssociationStatus}:
        query = query.where(Association.status == status)
    rows = list(session.scalars(query.order_by(Association.name)))
    order = {AssociationStatus.PENDING: 0, AssociationStatus.SUSPENDED: 1,
             AssociationStatus.APPROVED: 2}
    return sorted(rows, key=lambda a: order.get(AssociationStatus(a.status), 3))


def coordinated_by(session: Session, user: User) -> list[Association]:
    """The associations the user coordinates, whatever their status."""
    query = (_with_places().join(AssociationCoordinator)
             .where(AssociationCoordinator.user_id == user.id).order_by(Association.name))
    return list(session.scalars(query))


def followed_by(session: Session, household: Household) -> list[Association]:
    """The approved associations a family follows, by name."""
    query = (select(Association).join(AssociationFollower)
             .where(AssociationFollower.household_id == household.id,
                    Association.status == AssociationStatus.APPROVED)
             .order_by(Association.name))
    return list(session.scalars(query))


def activities_of(session: Session, association: Association) -> list[Activity]:
    """Its activities still running, soonest first (title, kind, neighbourhood, place)."""
    query = (select(Activity).options(selectinload(Activity.neighbourhood))
             .where(Activity.association_id == association.id,
                    Activity.status == ActivityStatus.OPEN)
             .order_by(Activity.starts_on, Activity.title))
    return list(session.scalars(query))


def neighbourhoods(session: Session) -> list[Neighbourhood]:
    """The active neighbourhoods, for the forms and the list's filter."""
    return list(session.scalars(select(Neighbourhood).where(Neighbourhood.active.is_(True))
                                .order_by(Neighbourhood.name)))
