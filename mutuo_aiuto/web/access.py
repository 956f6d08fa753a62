"""Role checks for views: anonymous visitors go to log in, the wrong role gets 403.

The decision itself is ``services/policy.py``'s; this only turns it into a
decorator a view wears.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from mutuo_aiuto.services import policy

F = TypeVar("F", bound=Callable[..., Any])


def allowed_if(check: Callable[[Any], bool]) -> Callable[[F], F]:
    """Allow only logged-in accounts for which the policy's ``check`` holds."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


member_required = allowed_if(policy.is_signed_in)
facilitator_required = allowed_if(policy.is_facilitator)
admin_required = allowed_if(policy.is_admin)
