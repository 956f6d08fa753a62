"""The open API, ``/api/v1``: JSON for programs, with a token instead of a login (issue 14)."""
