"""Role checks for views: anonymous visitors go to log in, the wrong role gets 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from mutuo_aiuto.models import ADMIN, FACILITATOR, MEMBER

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only logged-in accounts whose role is one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


member_required = roles_required(MEMBER, FACILITATOR, ADMIN)
facilitator_required = roles_required(FACILITATOR, ADMIN)
admin_required = roles_required(ADMIN)
