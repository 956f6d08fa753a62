"""Domain errors: what a use case refuses, with a message for the person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the domain was not met; ``message`` is a lazily translated string.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it."""


class InvalidTransition(DomainError):
    """The object's status does not allow this change."""


class DomainErrors(DomainError):
    """Several rules not met at once; ``errors`` lists each, in the order the form shows them.

    Its own ``message`` and ``field`` are the first error's, so a caller that shows
    one message still shows the right one.
    """

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = list(errors)


class Problems:
    """Runs independent checks and keeps every refusal, so a form hears of all at once.

    ``check(fn, ...)`` returns ``fn``'s value, or None when it raised a
    ``DomainError`` (kept); ``raise_any()`` raises them together.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except DomainErrors as errors:
            self.errors.extend(errors.errors)
        except DomainError as error:
            self.errors.append(error)
        return None

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DomainErrors(self.errors)


def all_errors(error: DomainError) -> list[DomainError]:
    """The errors one refusal carries: several for ``DomainErrors``, else itself."""
    return list(error.errors) if isinstance(error, DomainErrors) else [error]
