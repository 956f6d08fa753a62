"""Typed readers for the JSON file: each checks one value and, when wrong, says where.

A value is never coerced: ``true`` is not an integer, ``2.0`` is not an
integer, ``"3"`` is not a number. Unknown and duplicate keys are errors, as
the format page lists every field a file may hold.

Readers raise ``ProblemError`` with a path relative to the value they read;
``field`` and ``array`` put the key or index in front on the way out, so a
valid file never pays for building paths.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar, cast

from mutuo_aiuto.matching.errors import ProblemError

T = TypeVar("T")
Read = Callable[[Any], T]

_TIME = re.compile(r"(\d\d):(\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_MISSING = object()


class JsonObject(dict[str, Any]):
    """A decoded JSON object that held some keys more than once."""

    duplicates: tuple[str, ...] = ()


def object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a plain dict, or a ``JsonObject`` naming its repeated keys."""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    repeated = []
    for key, _ in pairs:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    marked = JsonObject(pairs)
    marked.duplicates = tuple(repeated)
    return marked


def shown(value: Any) -> str:
    """A value as it looks in the file, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "an object", list: "an array", str: "a string", int: "an integer",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def at(head: str, error: ProblemError) -> ProblemError:
    """The error, its path put under ``head`` (a key, or ``[i]``)."""
    rest = error.path
    path = head if not rest else head + rest if rest.startswith("[") else f"{head}.{rest}"
    return ProblemError(path, error.message)


def fields(value: Any, allowed: Collection[str]) -> dict[str, Any]:
    """An object with no duplicate and no unknown keys."""
    if not isinstance(value, dict):
        raise ProblemError("", f"expected an object, got {kind(value)}")
    repeated = getattr(value, "duplicates", ())
    if repeated:
        raise ProblemError(repeated[0], "duplicate key")
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise ProblemError(unknown[0], "unknown field")
    return value


def field(obj: dict[str, Any], key: str, read: Read[T], default: Any = _MISSING) -> T:
    """``obj[key]`` read by ``read``; required unless a default is given."""
    if key not in obj:
        if default is _MISSING:
            raise ProblemError(key, "required field is missing")
        return cast(T, default)
    try:
        return read(obj[key])
    except ProblemError as error:
        raise at(key, error) from None


def array(read: Read[T]) -> Read[tuple[T, ...]]:
    """A reader for an array whose items ``read`` reads."""
    def read_array(value: Any) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise ProblemError("", f"expected an array, got {kind(value)}")
        items = []
        for i, item in enumerate(value):
            try:
                items.append(read(item))
            except ProblemError as error:
                raise at(f"[{i}]", error) from None
        return tuple(items)
    return read_array


def text(value: Any) -> str:
    if value.__class__ is not str:
        raise ProblemError("", f"expected a string, got {kind(value)} {shown(value)}")
    if not value:
        raise ProblemError("", "must not be empty")
    return value


def integer(value: Any) -> int:
    if value.__class__ is not int:
        raise ProblemError("", f"expected an integer, got {kind(value)} {shown(value)}")
    return value


def boolean(value: Any) -> bool:
    if value.__class__ is not bool:
        raise ProblemError("", f"expected true or false, got {kind(value)} {shown(value)}")
    return value


def time(value: Any) -> int:
    """``"HH:MM"`` (24 h, ``"24:00"`` allowed) as minutes after midnight."""
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (hours, minutes) == (24, 0):
            return hours * 60 + minutes
    raise ProblemError("", f"{shown(value)} is not a time HH:MM")


def date(value: Any) -> dt.date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ProblemError("", f"{shown(value)} is not a date YYYY-MM-DD")
