"""Neighbourhoods, which of them are adjacent, and how many hops apart they lie.

The adjacency table keeps each undirected edge once, smaller id first; these
functions are the only place that writes it. Distances are computed here with
a plain breadth-first search: the matcher (networkx) has its own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Household, Need, Neighbourhood, Offer, neighbourhood_adjacency
from mutuo_aiuto.services.catalogue import NAME_MAX, clean_slug
from mutuo_aiuto.services.errors import DomainError, NotFound

Edge = tuple[int, int]


def list_neighbourhoods(session: Session, active_only: bool = False) -> list[Neighbourhood]:
    query = select(Neighbourhood).order_by(Neighbourhood.name)
    if active_only:
        query = query.where(Neighbourhood.active.is_(True))
    return list(session.execute(query).scalars())


def get_neighbourhood(session: Session, slug: str) -> Neighbourhood:
    place = session.execute(select(Neighbourhood).filter_by(slug=slug)).scalar_one_or_none()
    if place is None:
        raise NotFound(_l("This neighbourhood does not exist."))
    return place


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Write the name of the neighbourhood."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("Please write at most %(count)d characters.", count=NAME_MAX),
                          field="name")
    return name


def _check_unique(session: Session, place_id: int | None, slug: str, name: str) -> None:
    others = session.execute(select(Neighbourhood.slug, Neighbourhood.name)
                             .where(Neighbourhood.id != (place_id or 0))).all()
    if any(other_slug == slug for other_slug, _ in others):
        raise DomainError(_l("This short name is already used: choose another."), field="slug")
    if any(other_name.casefold() == name.casefold() for _, other_name in others):
        raise DomainError(_l("Another neighbourhood already has this name."), field="name")


def save_neighbourhood(session: Session, place: Neighbourhood | None, *, name: str,
                       slug: str = "", active: bool = True) -> Neighbourhood:
    """Create (``place=None``) or rename a neighbourhood; the slug defaults from the name."""
    name = _clean_name(name)
    slug = clean_slug(slug, name)
    _check_unique(session, place.id if place else None, slug, name)
    place = place or Neighbourhood()
    place.name, place.slug, place.active = name, slug, active
    session.add(place)
    session.flush()
    return place


def edges(session: Session) -> list[Edge]:
    """Every adjacency, once, as ``(smaller id, larger id)``, sorted."""
    rows = session.execute(select(neighbourhood_adjacency.c.a_id,
                                  neighbourhood_adjacency.c.b_id)).all()
    return sorted((a, b) for a, b in rows)


def neighbours(session: Session, place: Neighbourhood) -> list[Neighbourhood]:
    """The neighbourhoods adjacent to ``place``, whichever way the edge was stored."""
    ids = {b if a == place.id else a for a, b in edges(session) if place.id in (a, b)}
    if not ids:
        return []
    return list(session.execute(select(Neighbourhood).where(Neighbourhood.id.in_(ids))
                                .order_by(Neighbourhood.name)).scalars())


def set_neighbours(session: Session, place: Neighbourhood, slugs: Iterable[str]) -> None:
    """Make exactly the neighbourhoods named by ``slugs`` adjacent to ``place``."""
    wanted = set(slugs)
    if place.slug in wanted:
        raise DomainError(_l("A neighbourhood cannot be adjacent to itself."),
                          field="neighbours")
    found = list(session.execute(select(Neighbourhood).where(Neighbourhood.slug.in_(wanted)))
                 .scalars()) if wanted else []
    if len(found) != len(wanted):
        raise DomainError(_l("Choose neighbourhoods from the list."), field="neighbours")
    table = neighbourhood_adjacency
    session.execute(delete(table).where(or_(table.c.a_id == place.id, table.c.b_id == place.id)))
    pairs = sorted(tuple(sorted((place.id, other.id))) for other in found)
    if pairs:
        session.execute(table.insert(), [{"a_id": a, "b_id": b} for a, b in pairs])


def connect(session: Session, a: Neighbourhood, b: Neighbourhood) -> bool:
    """Add one adjacency if missing; True when it was added."""
    if a.id == b.id:
        raise DomainError(_l("A neighbourhood cannot be adjacent to itself."),
                          field="neighbours")
    low, high = sorted((a.id, b.id))
    if (low, high) in set(edges(session)):
        return False
    session.execute(neighbourhood_adjacency.insert().values(a_id=low, b_id=high))
    return True


def neighbourhood_in_use(session: Session, place: Neighbourhood) -> bool:
    """Households, needs or offers refer to it."""
    return bool(session.execute(select(
        exists().where(Household.neighbourhood_id == place.id)
        | exists().where(Need.neighbourhood_id == place.id)
        | exists().where(Offer.neighbourhood_id == place.id))).scalar())


def deactivate_neighbourhood(session: Session, place: Neighbourhood) -> None:
    """Families can no longer choose it; its households, needs and offers stay."""
    place.active = False


def delete_neighbourhood(session: Session, place: Neighbourhood) -> None:
    if neighbourhood_in_use(session, place):
        raise DomainError(_l("Families, requests or offers refer to this neighbourhood, so "
                             "it cannot be deleted. Deactivate it instead: families will no "
                             "longer be able to choose it."))
    table = neighbourhood_adjacency
    # Explicitly: SQLite enforces ON DELETE CASCADE only with its foreign-key pragma on.
    session.execute(delete(table).where(or_(table.c.a_id == place.id, table.c.b_id == place.id)))
    session.delete(place)
    session.flush()


def hop_distances(session: Session,
                  starts: Iterable[int] | None = None) -> dict[int, dict[int, int]]:
    """``d[a][b]``: hops from neighbourhood id a to b (0 to itself); unreachable pairs absent.
    With ``starts`` (ids of existing neighbourhoods), only from those ``a`` (the graph is
    undirected: d[a][b] == d[b][a]); every place they reach is on an edge, so only the
    edges are read."""
    if starts is not None:
        starts = set(starts)
        return distances_from_edges(starts, edges(session), starts)
    ids = session.execute(select(Neighbourhood.id)).scalars().all()
    return distances_from_edges(ids, edges(session), starts)


def distances_from_edges(ids: Iterable[int], adjacency: Iterable[Edge],
                         starts: Iterable[int] | None = None) -> dict[int, dict[int, int]]:
    """Breadth-first search from every node of an undirected graph (or from ``starts``)."""
    graph: dict[int, set[int]] = {node: set() for node in ids}
    for a, b in adjacency:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set()).add(a)
    chosen = graph if starts is None else set(starts) & graph.keys()
    return {start: _bfs(graph, start) for start in sorted(chosen)}


def _bfs(graph: dict[int, set[int]], start: int) -> dict[int, int]:
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node]):
            if nxt not in seen:
                seen[nxt] = seen[node] + 1
                queue.append(nxt)
    return seen


def neighbourhood_graph(session: Session) -> tuple[list[str], list[list[str]]]:
    """``(slugs, edges)`` in the matcher's file form, both sorted.

    Inactive neighbourhoods are included: needs and offers posted before a
    neighbourhood was deactivated still name it.
    """
    by_id = {row.id: row.slug for row in session.execute(select(Neighbourhood.id,
                                                                  Neighbourhood.slug))}
    pairs = sorted(sorted((by_id[a], by_id[b])) for a, b in edges(session))
    return sorted(by_id.values()), pairs
