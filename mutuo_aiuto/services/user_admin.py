"""Account management by administrators: find accounts, change roles, deactivate, sign out.

Every change is audited with the acting administrator. The rules that keep
the service manageable live here: an administrator cannot lock themselves
out, and the last active administrator cannot be demoted or deactivated.
The web layer asks for a fresh login before calling these.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import ADMIN, ROLES, User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.accounts import end_all_sessions
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.gdpr.erasure import ERASED_EMAIL_DOMAIN

PAGE_SIZE = 50


@dataclass(frozen=True)
class UserQuery:
    text: str | None = None  # part of the email or the name
    role: str | None = None
    active: bool | None = None


def list_users(session: Session, query: UserQuery, *, page: int = 1,
               page_size: int = PAGE_SIZE) -> list[User]:
    """Accounts matching the query, by email; ``page`` counts from 1."""
    statement = select(User)
    if query.text and query.text.strip():
        pattern = f"%{query.text.strip().lower()}%"
        statement = statement.where(or_(func.lower(User.email).like(pattern),
                                        func.lower(User.name).like(pattern)))
    if query.role:
        if query.role not in ROLES:
            raise DomainError(_l("Choose a role from the list."), field="role")
        statement = statement.where(User.role == query.role)
    if query.active is not None:
        statement = statement.where(User.active.is_(query.active))
    offset = (max(page, 1) - 1) * page_size
    return list(session.scalars(statement.order_by(User.email).offset(offset).limit(page_size)))


def find_user(session: Session, public_id: str) -> User:
    user = session.scalars(select(User).filter_by(public_id=public_id)).first()
    if user is None:
        raise NotFound(_l("This account does not exist."))
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count(User.id)).where(
        User.role == ADMIN, User.active.is_(True), User.id != user.id)) or 0


def _keep_an_admin(session: Session, actor: User, user: User) -> None:
    if user.id == actor.id:
        raise NotAllowed(_l("You cannot do this to your own account: "
                            "ask another administrator."))
    if user.role == ADMIN and _other_active_admins(session, user) == 0:
        raise NotAllowed(_l("This is the last active administrator: "
                            "make another one first."))


def change_role(session: Session, actor: User, user: User, role: str, *,
                request_id: str | None = None) -> None:
    """Give an account another role; its sessions end, so the new role applies at once."""
    policy.require_admin(actor)
    if role not in ROLES:
        raise DomainError(_l("Choose a role from the list."), field="role")
    if role == user.role:
        return
    _keep_an_admin(session, actor, user)
    previous, user.role = user.role, role
    end_all_sessions(user)
    audit.record(session, actor, audit.ROLE_CHANGED, target=user,
                 details={"from": previous, "to": role}, request_id=request_id)


def deactivate(session: Session, actor: User, user: User, *,
               request_id: str | None = None) -> None:
    """The account can no longer log in, and every session it has ends now."""
    policy.require_admin(actor)
    if not user.active:
        return
    _keep_an_admin(session, actor, user)
    user.active = False
    end_all_sessions(user)
    audit.record(session, actor, audit.USER_DEACTIVATED, target=user, request_id=request_id)


def reactivate(session: Session, actor: User, user: User, *,
               request_id: str | None = None) -> None:
    policy.require_admin(actor)
    if user.active:
        return
    if (user.email or "").endswith("@" + ERASED_EMAIL_DOMAIN):
        raise NotAllowed(_l("This account was erased at the family's request."))
    user.active = True
    audit.record(session, actor, audit.USER_REACTIVATED, target=user, request_id=request_id)


def sign_out_everywhere(session: Session, actor: User, user: User, *,
                        request_id: str | None = None) -> None:
    """End every session of the account on every device (a lost phone, a shared computer)."""
    policy.require_admin(actor)
    end_all_sessions(user)
    audit.record(session, actor, audit.SESSIONS_ENDED, target=user, request_id=request_id)
