"""Lists shown a page at a time: how many pages, and which one a request may see."""

from __future__ import annotations

# "?page=" with twenty digits would overflow the database's integers in an OFFSET.
MAX_PAGE = 100_000


def page_count(total: int, per_page: int) -> int:
    """Pages for ``total`` rows; an empty list still has its one (empty) page."""
    return max(1, -(-total // per_page))


def clamp(page: int | None, pages: int = MAX_PAGE) -> int:
    """The page asked for, kept between the first and the last (a stale or typed-in
    number shows the nearest page, never an error)."""
    return min(max(page or 1, 1), pages)
