"""Neighbourhoods, adjacency stored once per edge, hop distances and the matcher's graph."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.models import Neighbourhood, neighbourhood_adjacency
from mutuo_aiuto.services import places
from mutuo_aiuto.services.errors import DomainError, NotFound
from tests.factories import connect


def count(session, model=Neighbourhood) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def stored_edges(session) -> list[tuple[int, int]]:
    table = neighbourhood_adjacency
    return sorted(session.execute(select(table.c.a_id, table.c.b_id)).all())


def test_save_makes_the_slug_from_the_name(session):
    place = places.save_neighbourhood(session, None, name="  Ponte della Pietra ")
    assert (place.name, place.slug, place.active) == ("Ponte della Pietra",
                                                      "ponte-della-pietra", True)


def test_rename_keeps_the_row(session, make_neighbourhood):
    place = make_neighbourhood(slug="fontivegge", name="Fontivegge")
    places.save_neighbourhood(session, place, name="Fontivegge – Stazione", slug="fontivegge",
                              active=False)
    assert count(session) == 1
    assert (place.name, place.active) == ("Fontivegge – Stazione", False)


@pytest.mark.parametrize(("name", "slug", "field"), [
    ("Altro", "fontivegge", "slug"),
    ("FONTIVEGGE", "altro", "name"),
    ("Altro", "Not A Slug", "slug"),
    ("   ", "", "name"),
    ("x" * 121, "", "name"),
])
def test_save_refuses_duplicates_and_bad_values(session, make_neighbourhood, name, slug, field):
    make_neighbourhood(slug="fontivegge", name="Fontivegge")
    with pytest.raises(DomainError) as caught:
        places.save_neighbourhood(session, None, name=name, slug=slug)
    assert caught.value.field == field
    session.rollback()
    assert count(session) == 1


def test_saving_a_place_under_its_own_slug_is_not_a_duplicate(session, make_neighbourhood):
    place = make_neighbourhood(slug="filosofi", name="Filosofi")
    places.save_neighbourhood(session, place, name="Filosofi", slug="filosofi")
    assert place.slug == "filosofi"


def test_set_neighbours_stores_each_edge_once_smaller_id_first(session, make_neighbourhood):
    a, b, c = (make_neighbourhood() for _ in range(3))
    places.set_neighbours(session, c, [a.slug, b.slug])
    assert stored_edges(session) == sorted([(a.id, c.id), (b.id, c.id)])
    # Seen from either end.
    assert places.neighbours(session, a) == [c]
    assert {p.id for p in places.neighbours(session, c)} == {a.id, b.id}


def test_set_neighbours_replaces_the_old_ones(session, make_neighbourhood):
    a, b, c = (make_neighbourhood() for _ in range(3))
    places.set_neighbours(session, a, [b.slug, c.slug])
    places.set_neighbours(session, b, [])
    assert stored_edges(session) == [(a.id, c.id)]
    places.set_neighbours(session, c, [a.slug, b.slug])
    assert stored_edges(session) == sorted([(a.id, c.id), (b.id, c.id)])


@pytest.mark.parametrize("bad", ["self", "nowhere"])
def test_set_neighbours_refuses_itself_and_unknown_places(session, make_neighbourhood, bad):
    a, b = make_neighbourhood(), make_neighbourhood()
    places.set_neighbours(session, a, [b.slug])
    before = stored_edges(session)
    with pytest.raises(DomainError) as caught:
        places.set_neighbours(session, a, [b.slug, a.slug if bad == "self" else "nowhere"])
    assert caught.value.field == "neighbours"
    assert stored_edges(session) == before


def test_connect_adds_a_missing_edge_only(session, make_neighbourhood):
    a, b = make_neighbourhood(), make_neighbourhood()
    assert places.connect(session, b, a) is True
    assert places.connect(session, a, b) is False
    assert stored_edges(session) == [(a.id, b.id)]


def test_hop_distances_on_a_small_graph(session, make_neighbourhood):
    a, b, c, d, lone = (make_neighbourhood() for _ in range(5))
    # a – b – c – d, and a shortcut a – c.
    for x, y in [(a, b), (b, c), (c, d), (a, c)]:
        connect(session, x, y)
    distances = places.hop_distances(session)
    assert distances[a.id] == {a.id: 0, b.id: 1, c.id: 1, d.id: 2}
    assert distances[d.id][b.id] == 2
    assert distances[lone.id] == {lone.id: 0}
    assert lone.id not in distances[a.id]


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20))
def test_distances_are_symmetric_and_consistent_along_edges(pairs):
    edges = [(a, b) for a, b in pairs if a != b]
    distances = places.distances_from_edges(range(8), edges)
    for x in range(8):
        assert distances[x][x] == 0
        for y, hops in distances[x].items():
            assert distances[y][x] == hops
    for a, b in edges:
        assert distances[a][b] == 1
        for x in range(8):
            if a in distances[x]:
                assert abs(distances[x][a] - distances[x][b]) <= 1


def test_neighbourhood_graph_is_the_matchers_sorted_file_form(session, make_neighbourhood):
    fontivegge = make_neighbourhood(slug="fontivegge", name="Fontivegge")
    cortonese = make_neighbourhood(slug="cortonese", name="Zona Cortonese")
    alta = make_neighbourhood(slug="madonna-alta", name="Madonna Alta", active=False)
    connect(session, fontivegge, alta)
    connect(session, cortonese, fontivegge)
    slugs, edges = places.neighbourhood_graph(session)
    assert slugs == ["cortonese", "fontivegge", "madonna-alta"]
    assert edges == [["cortonese", "fontivegge"], ["fontivegge", "madonna-alta"]]


def test_delete_an_unused_neighbourhood_and_its_edges(session, make_neighbourhood):
    a, b = make_neighbourhood(), make_neighbourhood()
    connect(session, a, b)
    places.delete_neighbourhood(session, a)
    assert count(session) == 1
    assert stored_edges(session) == []


def test_delete_refused_while_a_household_lives_there(session, make_household):
    household = make_household()
    place = household.neighbourhood
    assert places.neighbourhood_in_use(session, place)
    with pytest.raises(DomainError):
        places.delete_neighbourhood(session, place)
    places.deactivate_neighbourhood(session, place)
    assert count(session) == 1
    assert place.active is False


def test_get_unknown_neighbourhood_is_not_found(session):
    with pytest.raises(NotFound):
        places.get_neighbourhood(session, "atlantide")


def test_list_active_only(session, make_neighbourhood):
    make_neighbourhood(name="B", active=False)
    shown = make_neighbourhood(name="A")
    assert places.list_neighbourhoods(session, active_only=True) == [shown]
