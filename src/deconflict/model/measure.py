"""Units of measure, named tolerances and the small value types every noun uses.

Distances are metres on the WGS84 ellipsoid; angles are degrees; times are timezone-aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NewType

__all__ = [
    "DEFAULT_STALE_AFTER",
    "THRESHOLD_TOLERANCE_M",
    "AltitudeBand",
    "Degrees",
    "Metres",
    "Position",
    "Window",
    "parse_rfc3339",
    "require_utc",
    "rfc3339",
]

Metres = NewType("Metres", float)
Degrees = NewType("Degrees", float)

#: A result within this distance of a threshold may go either way (DESIGN.md, geometry rules).
THRESHOLD_TOLERANCE_M = Metres(1.0)

#: A position report with no explicit ``stale`` time goes stale this long after it was observed.
DEFAULT_STALE_AFTER = 6 * 3600  # seconds


def require_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; naive datetimes are refused because their zone is a guess.

    >>> require_utc(datetime(2017, 9, 18, 6, tzinfo=UTC)).isoformat()
    '2017-09-18T06:00:00+00:00'
    """
    if moment.tzinfo is None:
        raise ValueError("time must carry a timezone (UTC)")
    return moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    """UTC time as the scenario format writes it.

    >>> rfc3339(datetime(2017, 9, 18, 6, 0, 0, 500000, tzinfo=UTC))
    '2017-09-18T06:00:00.5Z'
    """
    moment = require_utc(moment)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


_RFC3339_UTC = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|\+00:00)",
    re.ASCII,  # digits 0-9 only, as RFC 3339 says
)


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 date-time that states UTC (``Z`` or ``+00:00``): the one parser for
    scenario files, the API and the command line.

    >>> parse_rfc3339("2017-09-18T06:00:00Z").isoformat()
    '2017-09-18T06:00:00+00:00'
    """
    match = _RFC3339_UTC.fullmatch(text)
    if match is None:
        raise ValueError("expected an RFC 3339 time in UTC like 2017-09-18T06:00:00Z, "
                         f"got {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    # Finer than microseconds cannot be held by datetime; the extra digits are dropped.
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid time {text!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Position:
    """A point on the WGS84 ellipsoid, GeoJSON order; ``alt_m`` is metres above the ellipsoid."""

    lon: float
    lat: float
    alt_m: float | None = None

    def __post_init__(self) -> None:
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"longitude {self.lon} is outside [-180, 180]")
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"latitude {self.lat} is outside [-90, 90]")

    def coordinates(self) -> list[float]:
        """GeoJSON coordinates: ``[lon, lat]`` or ``[lon, lat, alt]``."""
        if self.alt_m is None:
            return [self.lon, self.lat]
        return [self.lon, self.lat, self.alt_m]


@dataclass(frozen=True, slots=True)
class Window:
    """A closed time interval ``[start, end]``; a zero-length window is one instant.

    >>> a = Window(datetime(2017, 9, 18, 7, tzinfo=UTC), datetime(2017, 9, 18, 8, tzinfo=UTC))
    >>> b = Window(datetime(2017, 9, 18, 8, tzinfo=UTC), datetime(2017, 9, 18, 9, tzinfo=UTC))
    >>> a.overlaps(b)
    True
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window times must carry a timezone (UTC)")
        if self.end < self.start:
            raise ValueError("window ends before it starts")

    def overlaps(self, other: Window | None) -> bool:
        """True when the two closed intervals share an instant; ``None`` means always."""
        if other is None:
            return True
        return self.start <= other.end and other.start <= self.end

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class AltitudeBand:
    """A closed altitude interval in metres above the ellipsoid."""

    low_m: float
    high_m: float

    def __post_init__(self) -> None:
        if self.high_m < self.low_m:
            raise ValueError("altitude band's top is below its bottom")

    def overlaps(self, other: AltitudeBand | None) -> bool:
        """True when the bands share a height; ``None`` means all altitudes."""
        if other is None:
            return True
        return self.low_m <= other.high_m and other.low_m <= self.high_m

    def contains(self, alt_m: float | None) -> bool:
        """A height that is not known is taken to be inside (the conservative answer)."""
        return alt_m is None or self.low_m <= alt_m <= self.high_m
