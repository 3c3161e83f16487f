"""Border surveillance: sensors, their schedules, and the borders they watch.

A sensor watches from its position (or, for a patrol, from where its route puts it at a moment)
out to ``range_m``, all round or within ``fov_deg`` centred on ``bearing_deg``. It is *active*
at a moment inside one of its operating ``windows`` (none given: always) and outside all of its
``outages``. A mast, tower or tethered balloon ``altitude_m`` above the ground sees to the
line-of-sight horizon when no range is given: see :func:`horizon_range_m`.

>>> round(horizon_range_m(300.0))
71392
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pyproj import Geod

from deconflict.model.measure import Position, Window
from deconflict.model.shape import Shape

__all__ = [
    "EARTH_RADIUS_M",
    "REFRACTION_K",
    "Border",
    "FieldError",
    "Patrol",
    "Sensor",
    "SensorKind",
    "horizon_range_m",
]

#: Mean radius of the earth (IUGG R1 of WGS84), metres.
EARTH_RADIUS_M = 6_371_008.8

#: Standard atmospheric refraction: rays bend as if the earth were 4/3 as large.
REFRACTION_K = 4.0 / 3.0

_GEOD = Geod(ellps="WGS84")


class FieldError(ValueError):
    """A value of the model that breaks a rule; ``field`` names it (``range_m``,
    ``patrol.speed_mps``) so that a codec can report it at its path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def horizon_range_m(height_m: float, target_height_m: float = 0.0) -> float:
    """Line-of-sight range in metres from ``height_m`` above flat ground to a target
    ``target_height_m`` tall: ``sqrt(2 k R h) + sqrt(2 k R h_t)``, the geometric horizon of a
    sphere of radius ``R`` (:data:`EARTH_RADIUS_M`) enlarged ``k`` times (:data:`REFRACTION_K`)
    for standard refraction. Terrain and the sensor's own limits are not modelled.

    >>> round(horizon_range_m(10.0))
    13034
    >>> round(horizon_range_m(10.0, 2.0)) - round(horizon_range_m(10.0))
    5829
    """
    for field, value in (("altitude_m", height_m), ("target_height_m", target_height_m)):
        if not math.isfinite(value) or value < 0:
            raise FieldError(field, f"must be a height of 0 m or more, got {value}")
    reach = 2.0 * REFRACTION_K * EARTH_RADIUS_M
    return math.sqrt(reach * height_m) + math.sqrt(reach * target_height_m)


class SensorKind(StrEnum):
    THERMAL = "thermal"
    CCTV = "cctv"
    BALLOON = "balloon"
    TOWER = "tower"
    RADAR = "radar"
    PATROL = "patrol"


def _leg_lengths(route: tuple[Position, ...]) -> list[float]:
    return [float(_GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]) for a, b in itertools.pairwise(route)]


@dataclass(frozen=True, slots=True)
class Patrol:
    """A route driven on a schedule: from ``start`` at ``speed_mps``, or through timed
    waypoints (``times``: one per vertex of ``route``, increasing). Legs are geodesics.

    Without ``loop`` the patrol is on duty from its first to its last moment on the route. With
    ``loop`` it goes on for ever: round again when the route is closed (last vertex == first),
    otherwise back along the route and out again (the way back takes as long as the way out).
    """

    route: tuple[Position, ...]
    start: datetime | None = None
    speed_mps: float | None = None
    times: tuple[datetime, ...] = ()
    loop: bool = False

    def __post_init__(self) -> None:
        if len(self.route) < 2 or len({(p.lon, p.lat) for p in self.route}) < 2:
            raise FieldError("route", "a patrol route needs at least two distinct positions")
        if self.times:
            self._check_times()
        elif self.start is None or self.speed_mps is None:
            raise FieldError("start", "a patrol needs start and speed_mps, or times")
        elif not math.isfinite(self.speed_mps) or self.speed_mps <= 0:
            raise FieldError("speed_mps", f"must be a positive speed, got {self.speed_mps}")

    def _check_times(self) -> None:
        if self.start is not None or self.speed_mps is not None:
            raise FieldError("times", "give times, or start and speed_mps, not both")
        if len(self.times) != len(self.route):
            raise FieldError("times", f"needs one time per route position ({len(self.route)}), "
                                      f"got {len(self.times)}")
        for i, (a, b) in enumerate(itertools.pairwise(self.times)):
            if b <= a:
                raise FieldError(f"times[{i + 1}]", "times must increase along the route")

    @property
    def closed(self) -> bool:
        first, last = self.route[0], self.route[-1]
        return (first.lon, first.lat) == (last.lon, last.lat)

    def _clock(self) -> tuple[datetime, list[float], list[float]]:
        """The schedule as (start, seconds at each vertex, metres at each vertex)."""
        metres = [0.0, *itertools.accumulate(_leg_lengths(self.route))]
        if self.times:
            first = self.times[0]
            return first, [(t - first).total_seconds() for t in self.times], metres
        assert self.start is not None and self.speed_mps is not None
        return self.start, [m / self.speed_mps for m in metres], metres

    def offset_at(self, moment: datetime) -> float | None:
        """Metres along the route at ``moment``; ``None`` when off duty."""
        start, seconds, metres = self._clock()
        elapsed, duration = (moment - start).total_seconds(), seconds[-1]
        if elapsed < 0 or (elapsed > duration and not self.loop):
            return None
        if self.loop and elapsed > duration:
            period = duration if self.closed else 2 * duration
            elapsed = math.fmod(elapsed, period)
            if elapsed > duration:  # on the way back
                elapsed = period - elapsed
        return _interpolate(elapsed, seconds, metres)

    def position_at(self, moment: datetime) -> Position | None:
        """Where the patrol is at ``moment`` (``None`` when off duty)."""
        offset = self.offset_at(moment)
        return None if offset is None else self.point_at(offset)

    def point_at(self, offset_m: float) -> Position:
        """The route's point ``offset_m`` metres from its first vertex (geodesic legs)."""
        for a, b in itertools.pairwise(self.route):
            az, _, length = _GEOD.inv(a.lon, a.lat, b.lon, b.lat)
            if offset_m <= length:
                lon, lat, _ = _GEOD.fwd(a.lon, a.lat, az, max(0.0, offset_m))
                return Position(_wrap_lon(float(lon)), float(lat))
            offset_m -= float(length)
        last = self.route[-1]
        return Position(last.lon, last.lat)

    def change_points(self) -> tuple[datetime, ...]:
        """When the patrol goes on or off duty (its motion in between is continuous)."""
        start, seconds, _ = self._clock()
        if self.loop:
            return (start,)
        return (start, start + _seconds(seconds[-1]))


def _interpolate(x: float, xs: list[float], ys: list[float]) -> float:
    for i in range(1, len(xs)):
        if x <= xs[i]:
            span = xs[i] - xs[i - 1]
            fraction = 0.0 if span <= 0 else (x - xs[i - 1]) / span
            return ys[i - 1] + fraction * (ys[i] - ys[i - 1])
    return ys[-1]


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _wrap_lon(lon: float) -> float:
    return lon if -180.0 <= lon <= 180.0 else (lon + 180.0) % 360.0 - 180.0


@dataclass(frozen=True, slots=True)
class Sensor:
    """A sensor; without ``bearing_deg``/``fov_deg`` it sees all round.

    ``altitude_m`` is the sensor's height above the ground (a mast, a balloon's tether), used
    for its line-of-sight range; ``range_from_horizon`` says that ``range_m`` was derived from
    it (with ``target_height_m``) rather than given.
    """

    id: str
    party: str
    kind: SensorKind
    position: Position
    range_m: float
    bearing_deg: float | None = None
    fov_deg: float | None = None
    name: str = ""
    windows: tuple[Window, ...] = ()
    outages: tuple[Window, ...] = ()
    altitude_m: float | None = None
    target_height_m: float = 0.0
    patrol: Patrol | None = None
    range_from_horizon: bool = False

    def __post_init__(self) -> None:
        if not math.isfinite(self.range_m) or self.range_m < 0:
            raise FieldError("range_m", f"must not be negative, got {self.range_m:g}")
        if (self.bearing_deg is None) != (self.fov_deg is None):
            missing = "fov_deg" if self.fov_deg is None else "bearing_deg"
            raise FieldError(missing, "bearing_deg and fov_deg go together")
        if self.bearing_deg is not None and not 0 <= self.bearing_deg < 360:
            raise FieldError("bearing_deg", f"must be in [0, 360), got {self.bearing_deg:g}")
        if self.fov_deg is not None and not 0 < self.fov_deg <= 360:
            raise FieldError("fov_deg", f"must be in (0, 360], got {self.fov_deg:g}")
        self._check_heights()

    def _check_heights(self) -> None:
        if self.altitude_m is not None and not (math.isfinite(self.altitude_m)
                                                and self.altitude_m >= 0):
            raise FieldError("altitude_m", f"must be 0 m or more, got {self.altitude_m:g}")
        if not math.isfinite(self.target_height_m) or self.target_height_m < 0:
            raise FieldError("target_height_m",
                             f"must be 0 m or more, got {self.target_height_m:g}")
        if self.range_from_horizon and self.altitude_m is None:
            raise FieldError("range_m", "a range from the horizon needs altitude_m")

    @property
    def all_round(self) -> bool:
        return self.fov_deg is None or self.fov_deg >= 360.0

    def active_at(self, moment: datetime) -> bool:
        """Inside an operating window (when any is given), in no outage, and on duty."""
        return self.scheduled_at(moment) and not self.down_at(moment)

    def scheduled_at(self, moment: datetime) -> bool:
        """Would be watching at ``moment`` were it not for its outages."""
        if self.windows and not any(w.contains(moment) for w in self.windows):
            return False
        return self.patrol is None or self.patrol.offset_at(moment) is not None

    def down_at(self, moment: datetime) -> Window | None:
        """The outage in force at ``moment``, if any."""
        return next((o for o in self.outages if o.contains(moment)), None)

    def position_at(self, moment: datetime) -> Position:
        """Where the sensor is at ``moment``: a patrol off duty is at its route's start."""
        if self.patrol is None:
            return self.position
        return self.patrol.position_at(moment) or self.position

    def change_points(self) -> tuple[datetime, ...]:
        """Moments at which the sensor may switch on or off, in order."""
        moments = {t for w in (*self.windows, *self.outages) for t in (w.start, w.end)}
        if self.patrol is not None:
            moments.update(self.patrol.change_points())
        return tuple(sorted(moments))


@dataclass(frozen=True, slots=True)
class Border:
    """A border line; positions along it are measured from its first vertex. ``owner`` is the
    party that watches it (watch-void alerts go to it); ``ref`` names the shipped border data
    the geometry came from (``iraq-syria``), when it did."""

    id: str
    shape: Shape
    name: str = ""
    owner: str | None = None
    ref: str | None = None

    def __post_init__(self) -> None:
        if self.shape.kind != "LineString":
            raise FieldError("geometry", f"a border must be a LineString, got {self.shape.kind}")

