"""Pages of a list: every row on exactly one page, any asked-for number kept in range."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.services import paging


@given(total=st.integers(0, 10_000), per_page=st.integers(1, 100))
def test_the_pages_hold_every_row_once(total, per_page):
    pages = paging.page_count(total, per_page)
    assert pages >= 1
    assert (pages - 1) * per_page < total <= pages * per_page or (total == 0 and pages == 1)


@given(page=st.none() | st.integers(-10**30, 10**30), pages=st.integers(1, 1_000))
def test_any_page_asked_for_is_one_that_exists(page, pages):
    assert 1 <= paging.clamp(page, pages) <= pages
    assert 1 <= paging.clamp(page) <= paging.MAX_PAGE
