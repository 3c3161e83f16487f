"""A border's watch over time: minutes watched per section, the forces nearest each section on
either side, and watch voids (long gaps an outage opened).

Over a time range the coverage is sampled once per interval between consecutive *moments*: the
range's start and end, every ``step`` in between, and every moment a sensor may switch on or
off (operating windows, outages, a patrol going on or off duty). Each interval is judged at its
middle, so a fixed sensor's part is exact and a patrol's is as fine as the step.

Sides are those of DESIGN.md (rule R-LINE): a point's side is decided by its nearest point on
the line, left or right of that segment's direction of travel; beyond an end, neither.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from deconflict.engine.coverage import (
    MERGE_TOLERANCE_M,
    BorderCoverage,
    BorderLine,
    Interval,
    Pieces,
    Sight,
    merge_intervals,
    sight_of,
)
from deconflict.model import Border, Sensor, Side, Unit, rfc3339

__all__ = [
    "FULL_TOLERANCE_M",
    "BorderWatch",
    "Nearest",
    "SectionWatch",
    "WatchVoid",
    "nearest_forces",
    "sample_moments",
    "section_edges",
    "watch_over_time",
    "watch_voids",
]

FloatArray = NDArray[np.float64]

#: A section counts as wholly watched (or wholly blind) give or take this much of it.
FULL_TOLERANCE_M = 1.0


def section_edges(length_m: float, section_m: float) -> FloatArray:
    """Offsets where sections begin, and the border's end: the last section may be shorter.

    >>> section_edges(12_000.0, 5_000.0).tolist()
    [0.0, 5000.0, 10000.0, 12000.0]
    """
    if not section_m > 0:
        raise ValueError("section_m must be positive")
    count = max(1, math.ceil(length_m / section_m - 1e-9))
    edges = np.minimum(np.arange(count + 1, dtype=np.float64) * section_m, length_m)
    edges[-1] = length_m
    return edges


def covered_upto(lo: FloatArray, hi: FloatArray, at: FloatArray) -> FloatArray:
    """Covered length in ``[0, at]`` for merged, sorted intervals ``[lo, hi]``."""
    if len(lo) == 0:
        return np.zeros(len(at))
    done = np.concatenate(([0.0], np.cumsum(hi - lo)))
    k = np.searchsorted(lo, at, side="right") - 1
    inside = np.clip(at - lo[np.maximum(k, 0)], 0.0, (hi - lo)[np.maximum(k, 0)])
    return np.where(k < 0, 0.0, done[np.maximum(k, 0)] + inside)


# -- over time -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Nearest:
    """The unit nearest a section on one side, and its edge distance (metres, less its
    radius)."""

    unit: str
    party: str
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "party": self.party, "distance_m": round(self.distance_m, 1)}


@dataclass(frozen=True, slots=True)
class SectionWatch:
    """One section over a time range: seconds watched (time x share of the section covered),
    seconds wholly watched, seconds wholly blind; the forces nearest it on each side."""

    from_m: float
    to_m: float
    watched_s: float
    full_s: float
    blind_s: float
    left: Nearest | None = None
    right: Nearest | None = None

    def to_dict(self) -> dict[str, Any]:
        def side(n: Nearest | None) -> dict[str, Any] | None:
            return None if n is None else n.to_dict()

        return {"from_m": round(self.from_m, 1), "to_m": round(self.to_m, 1),
                "watched_min": round(self.watched_s / 60, 1),
                "full_min": round(self.full_s / 60, 1), "blind_min": round(self.blind_s / 60, 1),
                "nearest": {"left": side(self.left), "right": side(self.right)}}


@dataclass(frozen=True, slots=True)
class BorderWatch:
    """A border's watch from ``start`` to ``end``."""

    border: str
    length_m: float
    start: datetime
    end: datetime
    samples: int
    mean_covered_m: float
    least_covered_m: float
    least_at: datetime
    sections: tuple[SectionWatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.border, "length_m": round(self.length_m, 1),
                "mean_covered_m": round(self.mean_covered_m, 1),
                "least_covered_m": round(self.least_covered_m, 1),
                "least_at": rfc3339(self.least_at), "samples": self.samples,
                "sections": [s.to_dict() for s in self.sections]}


def sample_moments(sensors: Iterable[Sensor], start: datetime, end: datetime, step: timedelta
                   ) -> list[datetime]:
    """The range's ends, every ``step`` in between, and every moment a sensor may switch."""
    if end <= start:
        raise ValueError("the range must end after it starts")
    if step <= timedelta(0):
        raise ValueError("the step must be positive")
    moments = {start, end}
    at = start + step
    while at < end:
        moments.add(at)
        at += step
    moments.update(t for s in sensors for t in s.change_points() if start < t < end)
    return sorted(moments)


class _Sampler:
    """Coverage at any moment: fixed sensors' pieces are solved once, patrols each time."""

    def __init__(self, line: BorderLine, sensors: Sequence[Sensor]) -> None:
        self.line = line
        self.fixed = [s for s in sensors if s.patrol is None]
        self.moving = [s for s in sensors if s.patrol is not None]
        sights = [Sight(s.id, s.party, s.position.lon, s.position.lat, s.range_m,
                        s.bearing_deg, s.fov_deg) for s in self.fixed]
        self.pieces = line.pieces(sights)

    def at(self, moment: datetime) -> tuple[FloatArray, FloatArray]:
        active = np.array([s.active_at(moment) for s in self.fixed], dtype=bool)
        parts = [self.pieces.of(active)] if len(active) else []
        found = (sight_of(s, moment) for s in self.moving)
        moving = [s for s in found if s is not None]
        if moving:
            parts.append(self.line.pieces(moving))
        joined = Pieces.join(parts, [0] * len(parts))
        return merge_intervals(joined.lo, joined.hi)


def watch_over_time(border: Border, sensors: Sequence[Sensor], start: datetime, end: datetime,
                    step: timedelta, section_m: float, line: BorderLine | None = None
                    ) -> BorderWatch:
    """How long each section of the border is watched between ``start`` and ``end``."""
    line = line or BorderLine.of(border)
    edges = section_edges(line.length_m, section_m)
    spans = np.diff(edges)
    sampler = _Sampler(line, sensors)
    moments = sample_moments(sensors, start, end, step)
    watched, full, blind = np.zeros(len(spans)), np.zeros(len(spans)), np.zeros(len(spans))
    total, least, least_at = 0.0, math.inf, start
    for t0, t1 in itertools.pairwise(moments):
        middle = t0 + (t1 - t0) / 2
        lo, hi = sampler.at(middle)
        seconds = (t1 - t0).total_seconds()
        covered = np.diff(covered_upto(lo, hi, edges))
        watched += seconds * covered / np.maximum(spans, MERGE_TOLERANCE_M)
        full += seconds * (covered >= spans - FULL_TOLERANCE_M)
        blind += seconds * (covered <= FULL_TOLERANCE_M)
        covered_m = float(np.sum(hi - lo))
        total += seconds * covered_m
        if covered_m < least:
            least, least_at = covered_m, middle
    sections = tuple(SectionWatch(float(a), float(b), float(w), float(f), float(x))
                     for a, b, w, f, x in zip(edges[:-1], edges[1:], watched, full, blind,
                                              strict=True))
    duration = (end - start).total_seconds()
    return BorderWatch(border.id, line.length_m, start, end, len(moments) - 1, total / duration,
                       least, least_at, sections)


# -- forces nearest each section -------------------------------------------------------------


def nearest_forces(line: BorderLine, edges: FloatArray, units: Iterable[Unit],
                   moment: datetime, reach_m: float
                   ) -> list[tuple[Nearest | None, Nearest | None]]:
    """Per section (``edges`` from :func:`section_edges`), the unit nearest it on the left and
    on the right of the border, among units with a live fix at ``moment`` whose edge distance
    to the section is at most ``reach_m``."""
    live = [(u, f) for u in units if (f := u.fix_at(moment)) is not None and f.live_at(moment)]
    found: list[tuple[Nearest | None, Nearest | None]] = [(None, None)] * (len(edges) - 1)
    if not live or line.segments == 0:
        return found
    cut = line.with_stops(edges[1:-1])
    lons = np.array([f.position.lon for _, f in live])
    lats = np.array([f.position.lat for _, f in live])
    radius = np.array([f.radius_m for _, f in live])
    who, seg = cut.candidates(lons, lats, reach_m + radius)
    if len(who) == 0:
        return found
    a, b = cut.local(who, seg, lons, lats)
    dist, side = _distance_and_side(a, b, who, seg, cut.segments, len(live))
    section = np.searchsorted(edges, (cut.offsets[seg] + cut.offsets[seg + 1]) / 2,
                              side="right") - 1
    edge_dist = np.maximum(0.0, dist - radius[who])
    best: dict[tuple[int, Side], tuple[float, int]] = {}
    for k in np.argsort(edge_dist, kind="stable"):
        unit_side = side[who[k]]
        if edge_dist[k] > reach_m or unit_side is None:
            continue
        key = (int(np.clip(section[k], 0, len(edges) - 2)), unit_side)
        if key not in best:
            best[key] = (float(edge_dist[k]), int(who[k]))
    for (i, s), (d, j) in best.items():
        near = Nearest(live[j][0].id, live[j][0].party, d)
        left, right = found[i]
        found[i] = (near, right) if s is Side.LEFT else (left, near)
    return found


def _distance_and_side(a: FloatArray, b: FloatArray, who: NDArray[np.intp],
                       seg: NDArray[np.intp], segments: int, units: int
                       ) -> tuple[FloatArray, list[Side | None]]:
    """Distance from each unit (the AEQD origin) to each paired segment, and each unit's side
    of the whole line, read off the segment nearest it."""
    d = b - a
    length2 = np.einsum("ij,ij->i", d, d)
    t_raw = -np.einsum("ij,ij->i", a, d) / np.where(length2 > 0, length2, 1.0)
    t = np.clip(t_raw, 0.0, 1.0)
    closest = a + t[:, None] * d
    dist = np.hypot(closest[:, 0], closest[:, 1])
    cross = d[:, 1] * a[:, 0] - d[:, 0] * a[:, 1]  # > 0: the origin is left of a → b
    beyond = ((seg == 0) & (t_raw < 0)) | ((seg == segments - 1) & (t_raw > 1))
    sides: list[Side | None] = [None] * units
    order = np.lexsort((dist, who))
    first = order[np.r_[True, who[order][1:] != who[order][:-1]]]
    for k in first:
        if not beyond[k] and cross[k] != 0:
            sides[int(who[k])] = Side.LEFT if cross[k] > 0 else Side.RIGHT
    return np.asarray(dist, dtype=np.float64), sides


# -- watch voids -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WatchVoid:
    """A gap at least the set length where no gap that long was before; ``opened_m`` of it was
    watched before."""

    border: str
    from_m: float
    to_m: float
    opened_m: float

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m

    def to_dict(self) -> dict[str, Any]:
        return {"border": self.border, "from_m": round(self.from_m, 1),
                "to_m": round(self.to_m, 1), "length_m": round(self.length_m, 1),
                "opened_m": round(self.opened_m, 1)}


def watch_voids(previous: BorderCoverage, current: BorderCoverage, min_length_m: float
                ) -> list[WatchVoid]:
    """Gaps of ``current`` at least ``min_length_m`` long that are new: either that much of
    the gap was watched in ``previous``, or ``previous`` had no gap that long inside it (two
    short gaps joined into a long one). Widening an already long gap by less than
    ``min_length_m`` is not a new void. Longest first.

    >>> before = BorderCoverage("b", 10_000.0, (Interval(0.0, 10_000.0),))
    >>> after = BorderCoverage("b", 10_000.0, (Interval(0.0, 2_000.0), Interval(7_000.0, 10_000.0)))
    >>> [v.to_dict() for v in watch_voids(before, after, 2_000.0)]
    [{'border': 'b', 'from_m': 2000.0, 'to_m': 7000.0, 'length_m': 5000.0, 'opened_m': 5000.0}]
    """
    old_gaps = previous.gaps
    voids = []
    for gap in current.gaps:
        if gap.length_m < min_length_m:
            continue
        inside = [_overlap(gap, g) for g in old_gaps]
        opened = max(0.0, gap.length_m - sum(inside))
        new = opened >= min_length_m or max(inside, default=0.0) < min_length_m
        if new and opened > MERGE_TOLERANCE_M:
            voids.append(WatchVoid(current.border, gap.from_m, gap.to_m, opened))
    return sorted(voids, key=lambda v: (-v.length_m, v.from_m))


def _overlap(a: Interval, b: Interval) -> float:
    return max(0.0, min(a.to_m, b.to_m) - max(a.from_m, b.from_m))
