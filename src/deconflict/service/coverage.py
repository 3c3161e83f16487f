"""Border coverage: the watch along each border now or over a time range, and watch-void alerts.

Scenario-level reports (:func:`coverage`, :func:`coverage_over`) see the whole truth, as an
administrator does. Watch-void alerts go to a border's owner and are computed from the owner's
own sensors only, so they tell nothing of another party's sensors: an owner's watch is what its
own sensors see. A void is a gap at least ``Limits.watch_void_m`` long that the owner's sensors
would not leave open were none of them down (see :func:`~deconflict.engine.watch.watch_voids`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from deconflict.engine.coverage import BorderCoverage, BorderLine, sight_of, sights_at
from deconflict.engine.watch import (
    BorderWatch,
    SectionWatch,
    WatchVoid,
    covered_upto,
    nearest_forces,
    section_edges,
    watch_over_time,
    watch_voids,
)
from deconflict.errors import ValidationError
from deconflict.model import Alert, AlertKind, Border, Scenario, Sensor, Window, rfc3339
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub

__all__ = [
    "DEFAULT_REACH_M",
    "DEFAULT_SECTION_M",
    "BorderDetail",
    "CoverageReport",
    "WatchReport",
    "check_watch_voids",
    "coverage",
    "coverage_over",
]

#: Sections of the border reported over time or in detail.
DEFAULT_SECTION_M = 5_000.0
#: Forces farther than this from a section are not "nearest" to it.
DEFAULT_REACH_M = 50_000.0
#: Watch voids are looked for again at least this often (patrols move between change points).
_VOID_RECHECK = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class BorderDetail:
    """What ``--detail`` adds about one border: its sensors and its sections at the moment."""

    border: Border
    coverage: BorderCoverage
    sensors: tuple[dict[str, Any], ...]
    sections: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.coverage.to_dict(), "name": self.border.name, "owner": self.border.owner,
                "gaps_by_position": [g.to_dict() for g in self.coverage.gaps],
                "sensors": list(self.sensors), "sections": list(self.sections)}


@dataclass(frozen=True, slots=True)
class CoverageReport:
    """Each border's coverage at ``time``; ``details`` when asked for."""

    time: datetime
    borders: tuple[BorderCoverage, ...]
    details: tuple[BorderDetail, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Exactly the scenario format's result, or with ``details`` its richer form (a
        superset: ``time`` on top, more keys per border)."""
        if self.details:
            return {"time": rfc3339(self.time), "borders": [d.to_dict() for d in self.details]}
        return {"borders": [b.to_dict() for b in self.borders]}


@dataclass(frozen=True, slots=True)
class WatchReport:
    """Each border's watch over a time range, per section."""

    start: datetime
    end: datetime
    step: timedelta
    section_m: float
    borders: tuple[BorderWatch, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"from": rfc3339(self.start), "to": rfc3339(self.end),
                "step_min": self.step.total_seconds() / 60, "section_m": self.section_m,
                "borders": [b.to_dict() for b in self.borders]}


def _check_section(section_m: float, reach_m: float) -> None:
    if not 100.0 <= section_m <= 1e7:
        raise ValidationError("a section must be 100 m to 10,000 km long", field="section_m")
    if not 0.0 <= reach_m <= 1e7:
        raise ValidationError("reach must be 0 to 10,000 km", field="reach_m")


def coverage(scenario: Scenario, *, detail: bool = False, section_m: float = DEFAULT_SECTION_M,
             reach_m: float = DEFAULT_REACH_M) -> CoverageReport:
    """Every border's coverage at the scenario's time, by every sensor watching then."""
    _check_section(section_m, reach_m)
    sights = sights_at(scenario.sensors, scenario.time)
    results, details = [], []
    for border in scenario.borders:
        line = BorderLine.of(border)
        found = line.coverage(border.id, sights)
        results.append(found)
        if detail:
            details.append(_detail(scenario, border, line, found, section_m, reach_m))
    return CoverageReport(scenario.time, tuple(results), tuple(details))


def _detail(scenario: Scenario, border: Border, line: BorderLine, found: BorderCoverage,
            section_m: float, reach_m: float) -> BorderDetail:
    edges = section_edges(line.length_m, section_m)
    lo = np.array([i.from_m for i in found.covered])
    hi = np.array([i.to_m for i in found.covered])
    covered = np.diff(covered_upto(lo, hi, edges))
    sides = nearest_forces(line, edges, scenario.units, scenario.time, reach_m)
    sections = tuple(
        SectionWatch(float(a), float(b), 0.0, 0.0, 0.0, left, right).to_dict()
        | {"covered_m": round(float(c), 1)}
        for a, b, c, (left, right) in zip(edges[:-1], edges[1:], covered, sides, strict=True))
    for section in sections:  # an instant has no minutes
        for key in ("watched_min", "full_min", "blind_min"):
            del section[key]
    return BorderDetail(border, found, _sensor_rows(scenario, line), sections)


def _sensor_rows(scenario: Scenario, line: BorderLine) -> tuple[dict[str, Any], ...]:
    rows = []
    for sensor in scenario.sensors:
        sight = sight_of(sensor, scenario.time)
        alone = line.coverage("", [sight]).covered_m if sight is not None else 0.0
        down = sensor.down_at(scenario.time)
        rows.append({"id": sensor.id, "party": sensor.party, "kind": sensor.kind.value,
                     "active": sight is not None, "range_m": round(sensor.range_m, 1),
                     "down_until": None if down is None else rfc3339(down.end),
                     "covered_m": round(alone, 1)})
    return tuple(rows)


def coverage_over(scenario: Scenario, start: datetime, end: datetime, step: timedelta, *,
                  section_m: float = DEFAULT_SECTION_M, reach_m: float = DEFAULT_REACH_M
                  ) -> WatchReport:
    """Minutes each section of each border is watched from ``start`` to ``end``; the forces
    nearest each section on either side are those of the picture at ``end``."""
    _check_section(section_m, reach_m)
    if end <= start:
        raise ValidationError("the range must end after it starts", field="to")
    if not timedelta(seconds=1) <= step <= timedelta(days=1):
        raise ValidationError("the step must be 1 second to 1 day", field="step_min")
    if (end - start) / step > 20_000:
        raise ValidationError("at most 20,000 steps per range; take a longer step",
                              field="step_min")
    out = []
    for border in scenario.borders:
        line = BorderLine.of(border)
        watch = watch_over_time(border, scenario.sensors, start, end, step, section_m, line)
        sides = nearest_forces(line, section_edges(line.length_m, section_m), scenario.units,
                               end, reach_m)
        sections = tuple(replace(s, left=left, right=right)
                         for s, (left, right) in zip(watch.sections, sides, strict=True))
        out.append(replace(watch, sections=sections))
    return WatchReport(start, end, step, section_m, tuple(out))


# -- watch-void alerts -----------------------------------------------------------------------


@dataclass
class _VoidWatch:
    """What the monitor remembers per hub: when it last looked, and the voids it has told. It
    lives in memory: a hub started afresh tells a void still open once more."""

    checked: datetime | None = None
    told: set[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_WATCHES: weakref.WeakKeyDictionary[Hub, _VoidWatch] = weakref.WeakKeyDictionary()
_WATCHES_LOCK = threading.Lock()


def _watch_of(hub: Hub) -> _VoidWatch:
    with _WATCHES_LOCK:
        watch = _WATCHES.get(hub)
        if watch is None:
            watch = _WATCHES[hub] = _VoidWatch()
        return watch


def check_watch_voids(hub: Hub) -> list[Alert]:
    """Raise a ``watch_void`` alert to a border's owner for each void its own sensors' outages
    opened, once per void (a void is the same while the same outages cause it). Cheap when
    nothing can have changed: it looks again only after a sensor's change point or a minute."""
    watch = _watch_of(hub)
    with watch.lock:
        with hub.lock:
            now, scenario = hub.now(), hub.scenario()
        if not _due(watch, scenario.sensors, now):
            return []
        watch.checked = now
        found = [a for border in scenario.borders if border.owner is not None
                 for a in _voids_of(hub, watch, border, scenario.sensors, now)]
        if not found:
            return []
        with hub.lock, hub.store.atomic():
            return raise_alerts(hub, found)


def _due(watch: _VoidWatch, sensors: Sequence[Sensor], now: datetime) -> bool:
    last = watch.checked
    if last is None or now < last or now - last >= _VOID_RECHECK:
        return True
    return any(last < t <= now for s in sensors for t in s.change_points())


def _voids_of(hub: Hub, watch: _VoidWatch, border: Border, sensors: Sequence[Sensor],
              now: datetime) -> list[Alert]:
    owner = border.owner
    assert owner is not None
    own = [s for s in sensors if s.party == owner]
    if not any(s.down_at(now) for s in own):
        return []
    line = BorderLine.of(border)
    planned = line.coverage(border.id, sights_at(own, now, planned=True))
    actual = line.coverage(border.id, sights_at(own, now))
    # One alert per set of outages: every void they opened, told once while they last.
    groups: dict[tuple[tuple[str, str], ...], list[tuple[WatchVoid, list[Any]]]] = {}
    for void in watch_voids(planned, actual, hub.limits.watch_void_m):
        down = _down_sensors(line, own, now, void.from_m, void.to_m)
        key = tuple((s.id, rfc3339(w.start)) for s, w in down)
        groups.setdefault(key, []).append((void, down))
    alerts = []
    for key, found in groups.items():
        if (border.id, key) in watch.told:
            continue
        watch.told.add((border.id, key))
        down = found[0][1]
        outages = [{"sensor": s.id, "kind": s.kind.value, "start": rfc3339(w.start),
                    "end": rfc3339(w.end)} for s, w in down]
        voids = [v.to_dict() for v, _ in found]
        alerts.append(alert(hub, owner, AlertKind.WATCH_VOID, border=border.id, name=border.name,
                            length_m=round(sum(v.length_m for v, _ in found), 1),
                            voids=voids, outages=outages))
    return alerts


def _down_sensors(line: BorderLine, own: Sequence[Sensor], now: datetime, lo: float, hi: float
                  ) -> list[tuple[Sensor, Window]]:
    """The owner's sensors down now that would watch part of ``[lo, hi]``, by id, with the
    outage each is in."""
    out = []
    for sensor in sorted(own, key=lambda s: s.id):
        outage = sensor.down_at(now)
        sight = sight_of(sensor, now, planned=True) if outage is not None else None
        if outage is None or sight is None:
            continue
        parts = line.coverage("", [sight]).covered
        if any(p.to_m > lo and p.from_m < hi for p in parts):
            out.append((sensor, outage))
    return out
