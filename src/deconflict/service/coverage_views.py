"""Border coverage as one party may see it: borders, the watch at a moment, the watch over time.

Borders are shared geography, like the zones and lines in effect: every party sees every border
(its id, name, owner and line); crossing alerts and tracks already name them to any party.

Coverage is computed only from the sensors the caller may see: its own, and other parties'
sensors released to it ``exact`` (the units' rule, as :func:`~deconflict.service.detections.
visible_sensors` decides). A sensor released ``area`` or ``none`` counts for nothing here, so
neither a gap, a covered stretch, a sampling moment nor a count in a reply depends on it: a
hidden sensor changes nothing in what the caller receives. The arithmetic is the scenario-level
one of :mod:`deconflict.service.coverage` run on that restricted picture (with no units: the
forces nearest each section are not part of a party's view).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
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
from deconflict.engine.watch import covered_upto, sample_moments, section_edges
from deconflict.errors import NotFoundError, ValidationError
from deconflict.model import Border, Credential, Scenario, Sensor, rfc3339
from deconflict.service.coverage import DEFAULT_SECTION_M, coverage, coverage_over
from deconflict.service.detections import visible_sensors
from deconflict.service.hub import Hub

__all__ = [
    "MAX_TIMELINE_CELLS",
    "MAX_TIMELINE_RANGE",
    "BorderView",
    "CoverageView",
    "TimelineView",
    "border_feature",
    "coverage_for",
    "default_range",
    "line_coordinates",
    "timeline_for",
    "visible_borders",
]

#: The longest range a timeline covers.
MAX_TIMELINE_RANGE = timedelta(hours=48)
#: At most this many (section, step) cells in one timeline, over all its borders.
MAX_TIMELINE_CELLS = 20_000
#: Coordinates of drawn stretches: 7 decimals is about a centimetre.
_DECIMALS = 7


def _picture(hub: Hub, actor: Credential) -> tuple[Scenario, tuple[Sensor, ...]]:
    """The whole truth now, and the sensors the caller may see (one consistent reading)."""
    with hub.lock:
        released, _ = visible_sensors(hub, actor)
        return hub.scenario(), released.exact


def visible_borders(hub: Hub, actor: Credential) -> tuple[Border, ...]:
    """Every border: they are shared geography (``actor`` is there for the rule's sake)."""
    del actor  # borders are every party's to know
    with hub.lock:
        return hub.scenario().borders


def line_coordinates(line: BorderLine, lo: float, hi: float) -> list[list[float]]:
    """``[lon, lat]`` of the stretch ``[lo, hi]`` metres along ``line``: its ends and the
    (densified) vertices between them, for drawing."""
    inner = line.offsets[(line.offsets > lo) & (line.offsets < hi)]
    lon, lat = line.points_at(np.concatenate(([lo], inner, [hi])))
    return [[round(float(x), _DECIMALS), round(float(y), _DECIMALS)]
            for x, y in zip(lon, lat, strict=True)]


def border_feature(border: Border) -> dict[str, Any]:
    """A border as a GeoJSON Feature (its line as given, without a third value)."""
    coords = [[float(c[0]), float(c[1])] for c in border.shape.geometry.coords]
    props = {"name": border.name, "owner": border.owner, "ref": border.ref,
             "length_m": round(BorderLine.of(border).length_m, 1)}
    return {"type": "Feature", "id": border.id, "properties": props,
            "geometry": {"type": "LineString", "coordinates": coords}}


# -- at one moment ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BorderView:
    """One border's coverage as the caller may see it, with the line to draw each stretch."""

    border: Border
    coverage: BorderCoverage
    line: BorderLine

    def _stretch(self, part: Interval) -> dict[str, Any]:
        return {**part.to_dict(), "length_m": round(part.length_m, 1),
                "geometry": {"type": "LineString",
                             "coordinates": line_coordinates(self.line, part.from_m, part.to_m)}}

    def to_dict(self) -> dict[str, Any]:
        """The scenario format's ``{"id", "length_m", "covered_m", "gaps"}`` (gaps longest
        first), each gap and covered stretch with its line."""
        found = self.coverage
        return {"id": found.border, "name": self.border.name, "owner": self.border.owner,
                "length_m": round(found.length_m, 1), "covered_m": round(found.covered_m, 1),
                "gaps": [self._stretch(g) for g in found.gaps_by_length],
                "covered": [self._stretch(c) for c in found.covered]}


@dataclass(frozen=True, slots=True)
class CoverageView:
    """Each border's coverage at ``time`` from the caller's ``sensors`` (ids, sorted)."""

    time: datetime
    sensors: tuple[str, ...]
    borders: tuple[BorderView, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"time": rfc3339(self.time), "sensors": list(self.sensors),
                "borders": [b.to_dict() for b in self.borders]}


def coverage_for(hub: Hub, actor: Credential, at: datetime | None = None) -> CoverageView:
    """Every border's coverage at ``at`` (default: the hub's "now") by the sensors the caller
    may see, under the release rules in force now."""
    scenario, sensors = _picture(hub, actor)
    moment = scenario.time if at is None else at
    seen = replace(scenario, time=moment, sensors=sensors, units=())
    report = coverage(seen)
    views = tuple(BorderView(border, found, BorderLine.of(border))
                  for border, found in zip(seen.borders, report.borders, strict=True))
    return CoverageView(moment, tuple(sorted(s.id for s in sensors)), views)


# -- over a time range -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineView:
    """Minutes each section of each border is watched from ``start`` to ``end``, in all and
    per step, by the caller's ``sensors``."""

    start: datetime
    end: datetime
    step: timedelta
    section_m: float
    sensors: tuple[str, ...]
    borders: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"from": rfc3339(self.start), "to": rfc3339(self.end),
                "step_min": self.step.total_seconds() / 60, "section_m": self.section_m,
                "sensors": list(self.sensors), "borders": list(self.borders)}


def _check_range(start: datetime, end: datetime, step: timedelta, section_m: float) -> None:
    if end <= start:
        raise ValidationError("the range must end after it starts", field="to")
    if end - start > MAX_TIMELINE_RANGE:
        raise ValidationError("a timeline covers at most 48 hours", field="to")
    if not timedelta(minutes=1) <= step <= timedelta(days=1):
        raise ValidationError("the step must be 1 to 1,440 minutes", field="step_min")
    if not (math.isfinite(section_m) and 100.0 <= section_m <= 1e7):
        raise ValidationError("a section must be 0.1 to 10,000 km long", field="section_km")
    try:
        end + step  # sampling steps past the end: the calendar must reach that far
    except OverflowError:
        raise ValidationError("the range runs past the calendar's end", field="to") from None


def _steps(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Where each step begins: every ``step`` from ``start``; the last one may be shorter."""
    count = math.ceil((end - start) / step)
    return [start + i * step for i in range(count)]


def timeline_for(hub: Hub, actor: Credential, start: datetime, end: datetime, step: timedelta,
                 *, section_m: float = DEFAULT_SECTION_M, border: str | None = None
                 ) -> TimelineView:
    """Each border's watch from ``start`` to ``end`` by the sensors the caller may see: per
    section the minutes watched (time x share of the section covered), wholly watched and wholly
    blind, and the minutes watched in each ``step``. Sampling is that of ``deconflict coverage
    --from --to --step-min``: every step and every moment a sensor may switch on or off."""
    _check_range(start, end, step, section_m)
    scenario, sensors = _picture(hub, actor)
    borders = scenario.borders
    if border is not None:
        borders = tuple(b for b in borders if b.id == border)
        if not borders:
            raise NotFoundError(f"no border {border!r}", field="border")
    steps = _steps(start, end, step)
    lines = [BorderLine.of(b) for b in borders]
    cells = sum(len(section_edges(line.length_m, section_m)) - 1 for line in lines) * len(steps)
    if cells > MAX_TIMELINE_CELLS:
        raise ValidationError(f"{cells:,} sections x steps: at most {MAX_TIMELINE_CELLS:,}; "
                              "take a longer step or a shorter range", field="step_min")
    seen = replace(scenario, sensors=sensors, units=(), borders=borders)
    report = coverage_over(seen, start, end, step, section_m=section_m)
    out = []
    for found, line, watch in zip(borders, lines, report.borders, strict=True):
        per_step = _watched_by_step(line, sensors, start, end, step, section_m)
        sections = []
        for i, section in enumerate(watch.sections):
            row = section.to_dict()
            del row["nearest"]  # forces are not part of a party's view of its watch
            sections.append(row | {"by_step": [round(float(s) / 60, 1) for s in per_step[:, i]]})
        summary = {k: v for k, v in watch.to_dict().items() if k != "sections"}
        out.append(summary | {"name": found.name, "owner": found.owner,
                              "steps": [rfc3339(t) for t in steps], "sections": sections})
    return TimelineView(start, end, step, section_m, tuple(sorted(s.id for s in sensors)),
                        tuple(out))


def default_range(now: datetime, start: datetime | None, end: datetime | None
                  ) -> tuple[datetime, datetime]:
    """The range a timeline covers when its ends are left out: the day (UTC) of the hub's
    "now", or a day from the end given, or to the end given."""
    day = timedelta(days=1)
    try:
        if start is None and end is None:
            start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if start is None:
            assert end is not None
            return end - day, end
        return start, start + day if end is None else end
    except OverflowError:
        raise ValidationError("the range runs past the calendar's end",
                              field="to" if end is None else "from") from None


FloatArray = NDArray[np.float64]


def _fixed_sight(sensor: Sensor) -> Sight:
    where = sensor.position
    return Sight(sensor.id, sensor.party, where.lon, where.lat, sensor.range_m,
                 sensor.bearing_deg, sensor.fov_deg)


def _watched_by_step(line: BorderLine, sensors: Sequence[Sensor], start: datetime,
                     end: datetime, step: timedelta, section_m: float) -> FloatArray:
    """Seconds each section is watched in each step (steps x sections). The moments are those
    of the range as a whole (every step boundary is one), so each interval between two of them
    lies inside one step and the steps add up to the range; fixed sensors are solved once."""
    edges = section_edges(line.length_m, section_m)
    spans = np.maximum(np.diff(edges), MERGE_TOLERANCE_M)
    fixed = [s for s in sensors if s.patrol is None]
    moving = [s for s in sensors if s.patrol is not None]
    pieces = line.pieces([_fixed_sight(s) for s in fixed])
    out = np.zeros((len(_steps(start, end, step)), len(spans)))
    for t0, t1 in itertools.pairwise(sample_moments(sensors, start, end, step)):
        middle = t0 + (t1 - t0) / 2
        active = np.array([s.active_at(middle) for s in fixed], dtype=bool)
        parts = [pieces.of(active)] if len(active) else []
        sights = [s for s in (sight_of(m, middle) for m in moving) if s is not None]
        if sights:
            parts.append(line.pieces(sights))
        joined = Pieces.join(parts, [0] * len(parts))
        lo, hi = merge_intervals(joined.lo, joined.hi)
        covered = np.diff(covered_upto(lo, hi, edges))
        out[(t0 - start) // step] += (t1 - t0).total_seconds() * covered / spans
    return out
