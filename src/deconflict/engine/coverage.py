"""Coverage of a border by sensors at one moment: which stretches of the line some sensor watches.

The definition is the scenario format's: a border point is covered when some active sensor is
within ``range_m`` of it (geodesic) and, for a sensor with a bearing, the point's azimuth from
the sensor is within ``fov_deg / 2`` of ``bearing_deg``. Positions are metres along the border
from its first vertex, measured on its geodesic edges.

How: the border is cut into geodesic chunks of at most :data:`~deconflict.engine.geodesy.
DENSIFY_STEP_M`; an STRtree of the chunks, searched with a conservatively enlarged box
(:func:`~deconflict.engine.index.search_box`), gives the chunks each sensor may reach. Each
(sensor, chunk) pair is solved in closed form in the azimuthal-equidistant (AEQD) plane centred
on the sensor, where the distance and the azimuth from the centre are the true geodesic ones and
a 5 km chunk is straight to millimetres: the chunk's crossings of the range circle and of the
two edges of the field of view cut it into pieces, each wholly in or out, judged at its middle.
Every cut found in the plane is then moved onto the true geodesic by Newton steps on the exact
distance (or azimuth) from the sensor, so the ends of covered stretches are exact to well under
a metre at any range. Everything runs as numpy arrays over all pairs at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from deconflict.engine.geodesy import GEOD, densify
from deconflict.engine.index import search_box
from deconflict.model import Border, Sensor

__all__ = [
    "MERGE_TOLERANCE_M",
    "BorderCoverage",
    "BorderLine",
    "Interval",
    "Pieces",
    "Sight",
    "border_coverage",
    "coverage_of",
    "merge_intervals",
    "sight_of",
    "sights_at",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Covered stretches closer than this are one stretch: gaps shorter than a millimetre are noise.
MERGE_TOLERANCE_M = 0.001

#: Newton steps that move each cut from the AEQD plane onto the geodesic (two already suffice).
_REFINE_STEPS = 3
#: How far a cut may move from the plane's estimate (metres, plus a share of the range).
_REFINE_REACH_M, _REFINE_REACH = 1.0, 1e-4

#: A cut this close to the sensor is where a border through the sensor meets every edge of its
#: field of view at once: its place is exact already, and the azimuth there means nothing.
_AT_SENSOR_M = 0.5
_FULL_CIRCLE = 360.0


@dataclass(frozen=True, slots=True)
class Sight:
    """What one sensor watches at a moment: where it stands and how far and wide it sees."""

    sensor: str
    party: str
    lon: float
    lat: float
    range_m: float
    bearing_deg: float | None = None
    fov_deg: float | None = None

    @property
    def all_round(self) -> bool:
        return self.fov_deg is None or self.fov_deg >= _FULL_CIRCLE


def sight_of(sensor: Sensor, moment: datetime, *, planned: bool = False) -> Sight | None:
    """The sensor's sight at ``moment``, or ``None`` when it is not watching then.

    ``planned`` ignores outages: what the sensor would watch were it not down.
    """
    watching = sensor.scheduled_at(moment) if planned else sensor.active_at(moment)
    if not watching:
        return None
    where = sensor.position_at(moment)
    return Sight(sensor.id, sensor.party, where.lon, where.lat, sensor.range_m,
                 sensor.bearing_deg, sensor.fov_deg)


def sights_at(sensors: Iterable[Sensor], moment: datetime, *, planned: bool = False
              ) -> list[Sight]:
    """Sights of the sensors watching at ``moment``."""
    found = (sight_of(s, moment, planned=planned) for s in sensors)
    return [s for s in found if s is not None]


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of a border, metres from its first vertex."""

    from_m: float
    to_m: float

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m

    def to_dict(self) -> dict[str, float]:
        return {"from_m": round(self.from_m, 1), "to_m": round(self.to_m, 1)}


@dataclass(frozen=True, slots=True)
class BorderCoverage:
    """A border's covered stretches at one moment, in order along the line."""

    border: str
    length_m: float
    covered: tuple[Interval, ...]

    @property
    def covered_m(self) -> float:
        return sum(i.length_m for i in self.covered)

    @property
    def gaps(self) -> tuple[Interval, ...]:
        """Stretches nobody watches, in order along the line."""
        out, at = [], 0.0
        for part in self.covered:
            if part.from_m > at:
                out.append(Interval(at, part.from_m))
            at = max(at, part.to_m)
        if at < self.length_m:
            out.append(Interval(at, self.length_m))
        return tuple(g for g in out if g.length_m > MERGE_TOLERANCE_M)

    @property
    def gaps_by_length(self) -> tuple[Interval, ...]:
        """The gaps, longest first (the first along the line among equals)."""
        return tuple(sorted(self.gaps, key=lambda g: (-g.length_m, g.from_m)))

    def to_dict(self) -> dict[str, Any]:
        """The scenario format's result: ``{"id", "length_m", "covered_m", "gaps"}``, gaps
        longest first."""
        return {"id": self.border, "length_m": round(self.length_m, 1),
                "covered_m": round(self.covered_m, 1),
                "gaps": [g.to_dict() for g in self.gaps_by_length]}


@dataclass(frozen=True, slots=True)
class Pieces:
    """Covered stretches before merging: ``sight[k]`` covers ``[lo[k], hi[k]]`` metres."""

    sight: IntArray
    lo: FloatArray
    hi: FloatArray

    @classmethod
    def empty(cls) -> Pieces:
        return cls(np.empty(0, dtype=np.intp), np.empty(0), np.empty(0))

    def where(self, keep: NDArray[np.bool_]) -> Pieces:
        return Pieces(self.sight[keep], self.lo[keep], self.hi[keep])

    def of(self, sights: NDArray[np.bool_]) -> Pieces:
        """The pieces of the sights whose flag is set (``sights`` is indexed by sight)."""
        return self.where(sights[self.sight]) if len(self.sight) else self

    @staticmethod
    def join(parts: Sequence[Pieces], shifts: Sequence[int]) -> Pieces:
        """Pieces of several sight lists, sight indices shifted to one numbering."""
        if not parts:
            return Pieces.empty()
        return Pieces(np.concatenate([p.sight + k for p, k in zip(parts, shifts, strict=True)]),
                      np.concatenate([p.lo for p in parts]), np.concatenate([p.hi for p in parts]))


def merge_intervals(lo: FloatArray, hi: FloatArray, tolerance_m: float = MERGE_TOLERANCE_M
                    ) -> tuple[FloatArray, FloatArray]:
    """The union of intervals ``[lo, hi]``, sorted; touching or overlapping ones become one.

    >>> merge_intervals(np.array([5.0, 0.0, 2.0]), np.array([6.0, 1.0, 3.0]))[0].tolist()
    [0.0, 2.0, 5.0]
    """
    if len(lo) == 0:
        return np.empty(0), np.empty(0)
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    starts = np.ones(len(lo), dtype=bool)
    starts[1:] = lo[1:] > reach[:-1] + tolerance_m
    first = np.flatnonzero(starts)
    return lo[first], np.maximum.reduceat(hi, first)


class BorderLine:
    """A border prepared for coverage: geodesic chunks, their offsets and an index of them."""

    def __init__(self, geometry: BaseGeometry) -> None:
        if geometry.geom_type != "LineString":
            raise ValueError(f"a border must be a LineString, got {geometry.geom_type}")
        coords = np.asarray(densify(geometry).coords)[:, :2]
        self.lons: FloatArray = np.ascontiguousarray(coords[:, 0], dtype=np.float64)
        self.lats: FloatArray = np.ascontiguousarray(coords[:, 1], dtype=np.float64)
        az, _, length = GEOD.inv(self.lons[:-1], self.lats[:-1], self.lons[1:], self.lats[1:])
        self.azimuths: FloatArray = np.asarray(az, dtype=np.float64)
        self.lengths: FloatArray = np.asarray(length, dtype=np.float64)
        self.offsets: FloatArray = np.concatenate(([0.0], np.cumsum(self.lengths)))
        self.length_m = float(self.offsets[-1])
        self._tree = shapely.STRtree(shapely.linestrings(np.stack((coords[:-1], coords[1:]),
                                                                  axis=1)))

    @classmethod
    def of(cls, border: Border) -> BorderLine:
        return cls(border.shape.geometry)

    @property
    def segments(self) -> int:
        return len(self.lengths)

    def points_at(self, offsets_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Lon/lat of the points ``offsets_m`` metres along the line (clamped to its ends)."""
        at = np.clip(np.asarray(offsets_m, dtype=np.float64), 0.0, self.length_m)
        seg = np.clip(np.searchsorted(self.offsets, at, side="right") - 1, 0, self.segments - 1)
        lon, lat, _ = GEOD.fwd(self.lons[seg], self.lats[seg], self.azimuths[seg],
                               at - self.offsets[seg])
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def with_stops(self, offsets_m: Iterable[float]) -> BorderLine:
        """The same line with vertices added at ``offsets_m`` (so that no segment straddles
        one); offsets along the new line equal those along this one."""
        stops = np.array(sorted({float(o) for o in offsets_m if 0.0 < o < self.length_m}))
        if len(stops) == 0:
            return self
        lon, lat = self.points_at(stops)
        merged = np.concatenate((self.offsets, stops))
        order = np.argsort(merged, kind="stable")
        coords = np.concatenate((np.column_stack((self.lons, self.lats)),
                                 np.column_stack((lon, lat))))[order]
        return BorderLine(LineString(coords))

    def candidates(self, lons: FloatArray, lats: FloatArray, reach_m: FloatArray
                   ) -> tuple[IntArray, IntArray]:
        """``(point, segment)`` pairs: every segment that may lie within ``reach_m[point]`` of
        the point (the index admits extra pairs, never drops one)."""
        boxes = [search_box((x, y, x, y), r) for x, y, r in zip(lons.tolist(), lats.tolist(),
                                                                  reach_m.tolist(), strict=True)]
        if not boxes:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        found = self._tree.query(np.asarray(boxes, dtype=object))
        return found[0].astype(np.intp), found[1].astype(np.intp)

    def local(self, points: IntArray, segments: IntArray, lons: FloatArray, lats: FloatArray
              ) -> tuple[FloatArray, FloatArray]:
        """Both ends of each segment in the AEQD plane of its paired point (metres E, N)."""
        n = len(points)
        plon = np.concatenate((lons[points], lons[points]))
        plat = np.concatenate((lats[points], lats[points]))
        vlon = np.concatenate((self.lons[segments], self.lons[segments + 1]))
        vlat = np.concatenate((self.lats[segments], self.lats[segments + 1]))
        az, _, dist = GEOD.inv(plon, plat, vlon, vlat)
        rad = np.radians(az)
        xy = np.column_stack((dist * np.sin(rad), dist * np.cos(rad)))
        return xy[:n], xy[n:]

    def pieces(self, sights: Sequence[Sight]) -> Pieces:
        """The stretches each sight covers, unmerged."""
        seen = [i for i, s in enumerate(sights) if s.range_m > 0]
        if not seen or self.segments == 0:
            return Pieces.empty()
        table = _SightTable.of([sights[i] for i in seen])
        who, seg = self.candidates(table.lon, table.lat, table.range_m)
        if len(who) == 0:
            return Pieces.empty()
        a, b = self.local(who, seg, table.lon, table.lat)
        paired = table.take(who)
        cuts, kinds = _cuts(a, b, paired)
        keep = _covered_pieces(a, b, cuts, paired)
        pair = np.broadcast_to(np.arange(len(who))[:, None], keep.shape)[keep]
        lo_m = self._offsets(cuts[:, :-1][keep], kinds[:, :-1][keep], seg[pair], paired.take(pair))
        hi_m = self._offsets(cuts[:, 1:][keep], kinds[:, 1:][keep], seg[pair], paired.take(pair))
        good = hi_m > lo_m
        original = np.asarray(seen, dtype=np.intp)[who[pair]]
        return Pieces(original[good], lo_m[good], hi_m[good])

    def _offsets(self, t: FloatArray, kind: NDArray[np.int8], seg: IntArray, sight: _SightTable
                 ) -> FloatArray:
        """Offsets along the line of cuts at fractions ``t`` of their segments; crossings of a
        range circle or a field-of-view edge are first moved onto the exact geodesic."""
        offset = t * self.lengths[seg]
        moved = (kind != _FIXED) & (t > 0.0) & (t < 1.0)
        if moved.any():
            cut = _Cut(self, seg[moved], sight.take(np.flatnonzero(moved)), kind[moved])
            offset[moved] = cut.refine(offset[moved])
        return np.asarray(self.offsets[seg] + offset, dtype=np.float64)

    def coverage(self, border_id: str, sights: Sequence[Sight]) -> BorderCoverage:
        return self.covered_by(border_id, self.pieces(sights))

    def covered_by(self, border_id: str, pieces: Pieces) -> BorderCoverage:
        lo, hi = merge_intervals(pieces.lo, pieces.hi)
        lo, hi = np.clip(lo, 0.0, self.length_m), np.clip(hi, 0.0, self.length_m)
        # A covered sliver under a millimetre is noise, like a gap that short.
        parts = tuple(Interval(float(x), float(y)) for x, y in zip(lo, hi, strict=True)
                      if y - x > MERGE_TOLERANCE_M)
        return BorderCoverage(border_id, self.length_m, parts)


@dataclass(frozen=True, slots=True)
class _SightTable:
    """Sights as arrays; a sight without a field of view has fov 360."""

    lon: FloatArray
    lat: FloatArray
    range_m: FloatArray
    bearing: FloatArray
    fov: FloatArray

    @classmethod
    def of(cls, sights: Sequence[Sight]) -> _SightTable:
        def column(values: Iterable[float]) -> FloatArray:
            return np.fromiter(values, dtype=np.float64, count=len(sights))

        return cls(column(s.lon for s in sights), column(s.lat for s in sights),
                   column(s.range_m for s in sights),
                   column(s.bearing_deg or 0.0 for s in sights),
                   column(_FULL_CIRCLE if s.all_round else float(s.fov_deg or 0.0)
                          for s in sights))

    def take(self, rows: IntArray) -> _SightTable:
        return _SightTable(self.lon[rows], self.lat[rows], self.range_m[rows], self.bearing[rows],
                           self.fov[rows])


def _cross(ux: FloatArray, uy: FloatArray, vx: FloatArray, vy: FloatArray) -> FloatArray:
    return np.asarray(ux * vy - uy * vx, dtype=np.float64)


# What made a cut: the range circle, the first or second edge of the field of view, or
# something whose place is exact already (a segment's end, the point nearest the sensor).
_CIRCLE, _EDGE_LOW, _EDGE_HIGH, _FIXED = 0, 1, 2, 3


def _cuts(a: FloatArray, b: FloatArray, sight: _SightTable
          ) -> tuple[FloatArray, NDArray[np.int8]]:
    """Fractions along each planar segment ``a → b`` where being covered may change, sorted,
    with what made each: the range circle's crossings, the field of view's edges, the point
    nearest the sensor, and the segment's ends."""
    n = len(a)
    d = b - a
    aa = np.einsum("ij,ij->i", d, d)
    safe = np.where(aa > 0, aa, 1.0)
    bb = np.einsum("ij,ij->i", a, d)
    disc = bb * bb - aa * (np.einsum("ij,ij->i", a, a) - sight.range_m**2)
    root = np.sqrt(np.maximum(disc, 0.0))
    circle = np.where(disc > 0, _CIRCLE, _FIXED)
    cuts = [np.zeros(n), np.ones(n), (-bb - root) / safe, (-bb + root) / safe, -bb / safe]
    kinds = [np.full(n, _FIXED), np.full(n, _FIXED), circle, circle, np.full(n, _FIXED)]
    for kind, edge in ((_EDGE_LOW, sight.bearing - sight.fov / 2),
                       (_EDGE_HIGH, sight.bearing + sight.fov / 2)):
        ux, uy = np.sin(np.radians(edge)), np.cos(np.radians(edge))
        den = _cross(ux, uy, d[:, 0], d[:, 1])
        t = np.where(den != 0, -_cross(ux, uy, a[:, 0], a[:, 1]) / np.where(den != 0, den, 1.0),
                     0.0)
        # Only a crossing of the edge itself (not of its backward extension, nor the sensor's
        # own place, where every edge meets a border running through it) is refined.
        ahead = (a[:, 0] + t * d[:, 0]) * ux + (a[:, 1] + t * d[:, 1]) * uy > _AT_SENSOR_M
        cuts.append(t)
        kinds.append(np.where(ahead & (den != 0) & (sight.fov < _FULL_CIRCLE), kind, _FIXED))
    values, labels = np.column_stack(cuts), np.column_stack(kinds).astype(np.int8)
    values[~np.isfinite(values)] = 0.0
    values = np.clip(values, 0.0, 1.0)
    order = np.argsort(values, axis=1, kind="stable")
    return np.take_along_axis(values, order, axis=1), np.take_along_axis(labels, order, axis=1)


def _in_sector(x: FloatArray, y: FloatArray, bearing: FloatArray, fov: FloatArray
               ) -> NDArray[np.bool_]:
    azimuth = np.degrees(np.arctan2(x, y))
    off = (azimuth - bearing + 180.0) % _FULL_CIRCLE - 180.0
    inside: NDArray[np.bool_] = (np.abs(off) <= fov / 2) | (fov >= _FULL_CIRCLE)
    return inside


def _covered_pieces(a: FloatArray, b: FloatArray, cuts: FloatArray, sight: _SightTable
                    ) -> NDArray[np.bool_]:
    """Whether each piece between consecutive cuts is covered (judged at its middle)."""
    lo, hi = cuts[:, :-1], cuts[:, 1:]
    mid = (lo + hi) / 2
    x = a[:, :1] + mid * (b[:, :1] - a[:, :1])
    y = a[:, 1:] + mid * (b[:, 1:] - a[:, 1:])
    near = x * x + y * y <= sight.range_m[:, None] ** 2
    seen = _in_sector(x, y, sight.bearing[:, None], sight.fov[:, None])
    covered: NDArray[np.bool_] = near & seen & (hi > lo)
    return covered


class _Cut:
    """Cuts on given segments, each with the sight and the kind of boundary that made it;
    Newton steps on the exact geodesic move each onto its range circle or field-of-view edge."""

    def __init__(self, line: BorderLine, seg: IntArray, sight: _SightTable,
                 kind: NDArray[np.int8]) -> None:
        self.lon, self.lat = line.lons[seg], line.lats[seg]
        self.azimuth, self.length = line.azimuths[seg], line.lengths[seg]
        self.sight, self.kind = sight, kind
        self.edge = np.where(kind == _EDGE_LOW, sight.bearing - sight.fov / 2,
                             sight.bearing + sight.fov / 2)

    def refine(self, offset: FloatArray) -> FloatArray:
        start = offset
        for _ in range(_REFINE_STEPS):
            offset = np.clip(offset - self._step(offset), 0.0, self.length)
        # The plane is off by a few millionths of the range at most; a step that went further
        # met an ill-posed cut (the circle grazing the border): the plane's answer stands.
        wild = np.abs(offset - start) > _REFINE_REACH_M + _REFINE_REACH * self.sight.range_m
        return np.asarray(np.where(wild, start, offset), dtype=np.float64)

    def _step(self, offset: FloatArray) -> FloatArray:
        """One Newton step: the miss (metres off the circle, or radians off the edge) over its
        rate of change along the border."""
        lon, lat, back = GEOD.fwd(self.lon, self.lat, self.azimuth, offset)
        az, toward_sensor, dist = GEOD.inv(self.sight.lon, self.sight.lat, lon, lat)
        # Angle between the border's direction and the line of sight, where the cut lies: both
        # back azimuths (to the segment's start, to the sensor) turned by the same half turn.
        angle = np.radians(np.asarray(back, dtype=np.float64) - toward_sensor)
        dist = np.asarray(dist, dtype=np.float64)
        on_circle = self.kind == _CIRCLE
        miss = np.where(on_circle, dist - self.sight.range_m,
                        np.radians(_wrapped(np.asarray(az, dtype=np.float64) - self.edge)))
        rate = np.where(on_circle, np.cos(angle), np.sin(angle) / np.maximum(dist, 1e-3))
        usable = np.abs(rate) > np.where(on_circle, 1e-6, 1e-12)
        step = np.where(usable, miss / np.where(usable, rate, 1.0), 0.0)
        return np.asarray(np.clip(step, -self.length, self.length), dtype=np.float64)


def _wrapped(degrees: FloatArray) -> FloatArray:
    return np.asarray((degrees + 180.0) % _FULL_CIRCLE - 180.0, dtype=np.float64)


def coverage_of(border: Border, sights: Sequence[Sight], line: BorderLine | None = None
                ) -> BorderCoverage:
    """The border's coverage by these sights (``line``: the border already prepared)."""
    return (line or BorderLine.of(border)).coverage(border.id, sights)


def border_coverage(border: Border, sensors: Iterable[Sensor], moment: datetime, *,
                    planned: bool = False) -> BorderCoverage:
    """The border's coverage at ``moment`` by the sensors watching then.

    >>> from datetime import UTC
    >>> from shapely.geometry import LineString
    >>> from deconflict.model import Position, SensorKind, Shape
    >>> border = Border("b", Shape(LineString([(41.0, 34.0), (41.0, 34.2)])))
    >>> tower = Sensor("t", "isf", SensorKind.TOWER, Position(41.0, 34.0), 5000.0)
    >>> cov = border_coverage(border, [tower], datetime(2017, 9, 18, tzinfo=UTC))
    >>> round(cov.covered_m), [g.to_dict() for g in cov.gaps]
    (5000, [{'from_m': 5000.0, 'to_m': 22184.8}])
    """
    return coverage_of(border, sights_at(sensors, moment, planned=planned))
