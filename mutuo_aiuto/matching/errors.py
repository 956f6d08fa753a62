"""The one exception of the matcher: a problem that breaks the contract.

The web app catches it too, so it carries the field's path apart from the
message (``needs[3].slots[0].end`` and ``"25:00" is not a time HH:MM``).
"""

from __future__ import annotations


class ProblemError(ValueError):
    """An invalid problem; ``str()`` gives the one-line ``path: message`` form."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)
