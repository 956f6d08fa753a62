"""Typed readers for the JSON file: each checks one value and names its path when wrong.

A value is never coerced: ``true`` is not an integer, ``2.0`` is not an
integer, ``"3"`` is not a number. Unknown and duplicate keys are errors, as
the format page lists every field a file may hold.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from mutuo_aiuto.matching.errors import ProblemError

T = TypeVar("T")
Read = Callable[[Any, str], T]

_TIME = re.compile(r"(\d\d):(\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_MISSING = object()


class JsonObject(dict):
    """A decoded JSON object that remembers the keys it held more than once."""

    duplicates: tuple[str, ...] = ()


def object_pairs(pairs: list[tuple[str, Any]]) -> JsonObject:
    """``json.loads`` hook: keep every object, and which keys it repeats."""
    result = JsonObject(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = []
        for key, _ in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        result.duplicates = tuple(repeated)
    return result


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


def fields(value: Any, path: str, allowed: Collection[str]) -> dict[str, Any]:
    """An object with no duplicate and no unknown keys."""
    if not isinstance(value, dict):
        raise ProblemError(path, f"expected an object, got {kind(value)}")
    repeated = getattr(value, "duplicates", ())
    if repeated:
        raise ProblemError(join(path, repeated[0]), "duplicate key")
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise ProblemError(join(path, unknown[0]), "unknown field")
    return value


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def field(obj: dict[str, Any], path: str, key: str, read: Read[T],
          default: Any = _MISSING) -> T:
    """``obj[key]`` read by ``read``; required unless a default is given."""
    if key not in obj:
        if default is _MISSING:
            raise ProblemError(join(path, key), "required field is missing")
        return default
    return read(obj[key], join(path, key))


def array(read: Read[T]) -> Read[tuple[T, ...]]:
    """A reader for an array whose items ``read`` reads."""
    def read_array(value: Any, path: str) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise ProblemError(path, f"expected an array, got {kind(value)}")
        return tuple(read(item, f"{path}[{i}]") for i, item in enumerate(value))
    return read_array


def text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ProblemError(path, f"expected a string, got {kind(value)} {shown(value)}")
    if not value:
        raise ProblemError(path, "must not be empty")
    return value


def integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(path, f"expected an integer, got {kind(value)} {shown(value)}")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(path, f"expected true or false, got {kind(value)} {shown(value)}")
    return value


def time(value: Any, path: str) -> int:
    """``"HH:MM"`` (24 h, ``"24:00"`` allowed) as minutes after midnight."""
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (hours, minutes) == (24, 0):
            return hours * 60 + minutes
    raise ProblemError(path, f"{shown(value)} is not a time HH:MM")


def date(value: Any, path: str) -> dt.date:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ProblemError(path, f"{shown(value)} is not a date YYYY-MM-DD")
