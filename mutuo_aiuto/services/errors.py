"""Domain errors: what a use case refuses, with a message for the person."""

from __future__ import annotations


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
