"""Typed readers for the values of a scenario document, each naming the path it reads.

Every reader raises :class:`ScenarioError` with ``field`` set to the path inside the document
(``units[3].position``); the file name is added by the caller that knows it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from deconflict.errors import ScenarioError
from deconflict.model import AltitudeBand, Position, Window, parse_rfc3339

__all__ = [
    "Record",
    "as_altitude",
    "as_angle",
    "as_coordinates",
    "as_distance",
    "as_enum",
    "as_id",
    "as_list",
    "as_number",
    "as_position",
    "as_text",
    "as_time",
    "as_window",
    "describe",
    "index",
    "join",
]

E = TypeVar("E", bound=StrEnum)

# RFC 3339 date-time in UTC only: "Z" or "+00:00"; "-00:00" means "offset unknown" and is refused.
def join(path: str, key: str) -> str:
    """``units[3]`` + ``position`` → ``units[3].position``; the root has an empty path."""
    return f"{path}.{key}" if path else key


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def describe(value: object) -> str:
    """How a wrong value is named in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int) and value.bit_length() > 64:
        return "a very large number"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 40 else "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, datetime):
        return "a timestamp"
    return f"a value of type {type(value).__name__}"


def _fail(path: str, message: str) -> ScenarioError:
    return ScenarioError(message, field=path or None)


def as_number(raw: object, path: str) -> float:
    """A finite number; booleans are not numbers, and neither are numeric strings."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(path, f"expected a number, got {describe(raw)}")
    try:
        value = float(raw)
    except OverflowError:
        raise _fail(path, "number is too large") from None
    if not math.isfinite(value):
        raise _fail(path, f"expected a finite number, got {value}")
    return value


#: Longest distance a file may give (metres): a hundred thousand kilometres, well past any use.
MAX_DISTANCE_M = 1e8


def as_distance(raw: object, path: str) -> float:
    """Metres: a finite number, not negative, at most :data:`MAX_DISTANCE_M`."""
    value = as_number(raw, path)
    if value < 0:
        raise _fail(path, f"must not be negative, got {value:g}")
    if value > MAX_DISTANCE_M:
        raise _fail(path, f"must be at most {MAX_DISTANCE_M:g} m, got {value:g}")
    return value


def as_angle(raw: object, path: str, *, low: float, high: float, closed_low: bool) -> float:
    """Degrees in ``[low, high)`` (``closed_low``) or ``(low, high]``."""
    value = as_number(raw, path)
    inside = low <= value < high if closed_low else low < value <= high
    if not inside:
        bounds = f"[{low:g}, {high:g})" if closed_low else f"({low:g}, {high:g}]"
        raise _fail(path, f"must be in {bounds}, got {value:g}")
    return value


def as_text(raw: object, path: str) -> str:
    if not isinstance(raw, str):
        raise _fail(path, f"expected a string, got {describe(raw)}")
    return raw


def as_id(raw: object, path: str) -> str:
    """An identifier: a string with something other than white space in it."""
    value = as_text(raw, path)
    if not value.strip():
        raise _fail(path, "must not be empty")
    return value


def as_enum(raw: object, path: str, kind: type[E]) -> E:
    """A member of ``kind`` by value; the error lists the values allowed."""
    value = as_text(raw, path)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise _fail(path, f"unknown value {value!r}; expected one of: {allowed}") from None


def as_time(raw: object, path: str) -> datetime:
    """An RFC 3339 date-time with an explicit UTC designator, as an aware UTC datetime."""
    if not isinstance(raw, str):
        raise _fail(path, f"expected an RFC 3339 time string, got {describe(raw)}")
    try:
        return parse_rfc3339(raw)
    except ValueError as exc:
        raise _fail(path, str(exc)) from None


def as_list(raw: object, path: str) -> list[object]:
    if not isinstance(raw, list):
        raise _fail(path, f"expected a list, got {describe(raw)}")
    return raw


def as_pair(raw: object, path: str, what: str) -> tuple[object, object]:
    items = as_list(raw, path)
    if len(items) != 2:
        raise _fail(path, f"expected {what}, a list of two values, got {len(items)} values")
    return items[0], items[1]


def as_window(raw: object, path: str) -> Window:
    """``[start, end]``; an end before the start is refused, equal times are one instant."""
    first, second = as_pair(raw, path, "[start, end]")
    start, end = as_time(first, index(path, 0)), as_time(second, index(path, 1))
    if end < start:
        raise _fail(path, "window ends before it starts")
    return Window(start, end)


def as_altitude(raw: object, path: str) -> AltitudeBand:
    first, second = as_pair(raw, path, "[low, high]")
    low, high = as_number(first, index(path, 0)), as_number(second, index(path, 1))
    if high < low:
        raise _fail(path, f"altitude band's top {high:g} is below its bottom {low:g}")
    return AltitudeBand(low, high)


def as_coordinates(raw: object, path: str) -> tuple[float, ...]:
    """A GeoJSON position: ``[lon, lat]`` or ``[lon, lat, alt_m]`` inside the WGS84 ranges."""
    items = as_list(raw, path)
    if len(items) not in (2, 3):
        raise _fail(path, f"expected [lon, lat] or [lon, lat, alt_m], got {len(items)} values")
    values = tuple(as_number(v, index(path, i)) for i, v in enumerate(items))
    if not -180.0 <= values[0] <= 180.0:
        raise _fail(index(path, 0), f"longitude {values[0]:g} is outside [-180, 180]")
    if not -90.0 <= values[1] <= 90.0:
        raise _fail(index(path, 1), f"latitude {values[1]:g} is outside [-90, 90]")
    return values


def as_position(raw: object, path: str) -> Position:
    return Position(*as_coordinates(raw, path))


class Record:
    """One mapping of the document: refuses unknown keys and reports missing required ones.

    >>> Record({"id": "a"}, "units[0]", keys=("id", "name"), required=("id",)).text("id")
    'a'
    """

    def __init__(
        self, raw: object, path: str, *, keys: Sequence[str], required: Sequence[str] = ()
    ) -> None:
        if not isinstance(raw, Mapping):
            raise _fail(path, f"expected a mapping, got {describe(raw)}")
        for key in raw:
            if key not in keys:
                raise _fail(join(path, str(key)), _unknown_key(key, keys))
        for key in required:
            if key not in raw:
                raise _fail(join(path, key), "is required")
        self.raw = raw
        self.base = path

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def path(self, key: str) -> str:
        return join(self.base, key)

    def get(self, key: str) -> object:
        return self.raw.get(key)

    def text(self, key: str, default: str = "") -> str:
        return as_text(self.raw[key], self.path(key)) if key in self.raw else default

    def id(self, key: str = "id") -> str:
        """A required, non-blank string (ids, and the names that must be given)."""
        return as_id(self.raw[key], self.path(key))

    def enum(self, key: str, kind: type[E]) -> E:
        return as_enum(self.raw[key], self.path(key), kind)

    def time(self, key: str) -> datetime:
        return as_time(self.raw[key], self.path(key))

    def distance(self, key: str, default: float = 0.0) -> float:
        return as_distance(self.raw[key], self.path(key)) if key in self.raw else default

    def items(self, key: str) -> Iterator[tuple[str, object]]:
        """``(path, value)`` of each element of the list under ``key`` (none when absent)."""
        if key not in self.raw:
            return iter(())
        values = as_list(self.raw[key], self.path(key))
        return ((index(self.path(key), i), value) for i, value in enumerate(values))


def _unknown_key(key: object, allowed: Sequence[str]) -> str:
    message = f"unknown key {key!r}"
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return f"{message}; allowed keys: {', '.join(allowed)}"
