"""Which rows belong to a person: their household, matches, account rows.

``person_rows`` walks the foreign keys of the whole schema from the account
and its household, so a table added later is found without changing this
module; the export's completeness test compares the export with this walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Household, Match, Need, Offer, User


def household_of(session: Session, user: User) -> Household | None:
    return session.scalars(select(Household).filter_by(user_id=user.id)).first()


def matches_of(session: Session, household: Household) -> list[Match]:
    """Every match in which the household asked for or gave help, oldest first."""
    statement = (select(Match)
                 .join(Need, Need.id == Match.need_id)
                 .join(Offer, Offer.id == Match.offer_id)
                 .where(or_(Need.household_id == household.id,
                            Offer.household_id == household.id))
                 .order_by(Match.id))
    return list(session.scalars(statement))


def account_tables() -> list[type[Any]]:
    """Every model with rows that belong to one account (a ``user_id`` to ``users``).

    Found in the mappings, so a new per-account table (notifications, session
    reminders, …) is exported and erased without changing this module.
    """
    found = []
    for mapper in User.registry.mappers:
        column = mapper.columns.get("user_id")
        if column is None or mapper.class_ is Household:
            continue
        if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys):
            found.append(mapper.class_)
    return sorted(found, key=lambda model: model.__tablename__)


def _key(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


def _referencing(table: Table, found: dict[str, set[tuple[Any, ...]]]
                 ) -> Iterable[tuple[Any, set[Any]]]:
    """(column, ids) for each single-column foreign key of ``table`` to a found row."""
    for fk in table.foreign_keys:
        target = fk.column.table
        keys = found.get(target.name)
        if not keys or len(_key(target)) != 1 or _key(target)[0] is not fk.column:
            continue
        yield fk.parent, {key[0] for key in keys}


def person_rows(session: Session, user: User) -> dict[str, set[tuple[Any, ...]]]:
    """Primary keys, by table, of every row a foreign-key chain leads to from the person.

    Starts at the account's row and follows every foreign key that points at a
    row already found (a household points at its user, a need at its household,
    a proposal at the need, a match at the proposal …) until nothing new turns up.
    Mail has no foreign key (it is addressed by email): see ``export.mails_to``.
    """
    tables = list(User.metadata.sorted_tables)
    found: dict[str, set[tuple[Any, ...]]] = {User.__tablename__: {(user.id,)}}
    changed = True
    while changed:
        changed = False
        for table in tables:
            conditions = [column.in_(ids) for column, ids in _referencing(table, found)]
            if not conditions:
                continue
            key = _key(table)
            rows = {tuple(row) for row in session.execute(
                select(*key).where(or_(*conditions)))}
            known = found.setdefault(table.name, set())
            if rows - known:
                known |= rows
                changed = True
    return {name: keys for name, keys in found.items() if keys}

