"""What was around a reported event in space and time: the whole truth, before any disclosure.

The event is a point and a moment; ``radius_m`` is how far around the point the hub looks. The
geometry is the engine's (geodesic, index first, refine exactly):

* a notice is correlated when its window holds the moment, its altitude band the event's height
  (an unknown height counts as inside) and its footprint grown by ``buffer_m`` reaches within
  ``radius_m`` of the point: ``d(notice, point) <= buffer_m + radius_m``;
* a unit by its position history: its last fix at or before the moment, within ``radius_m`` of
  the point counting the fix's own radius; live when the moment is before the fix went stale;
* a protected site when ``d <= buffer_m + radius_m`` and its window (if any) holds the moment;
* a zone in effect at the moment when ``d <= radius_m``; every line in effect says which side
  the point fell on (rule R-LINE's sides) and which sides the searched circle reaches;
* a message of the lines of communication when its text names a correlated notice or site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from shapely.geometry import Point

from deconflict.engine.geodesy import distance_m, point_distances
from deconflict.engine.layers import ShapeLayer, UnitLayer
from deconflict.engine.sides import sides_reached
from deconflict.errors import NotFoundError
from deconflict.model import (
    Filing,
    Fix,
    Message,
    Notice,
    Position,
    Scenario,
    Shape,
    Side,
    Site,
    Unit,
    Zone,
    ZoneKind,
    ZoneVersion,
)
from deconflict.model.incident import IncidentItem
from deconflict.storage.base import Store

__all__ = [
    "Correlation",
    "IncidentQuery",
    "LineHit",
    "NoticeHit",
    "SiteHit",
    "UnitHit",
    "ZoneHit",
    "correlate",
    "names_any",
]


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    """Where and when the event happened, and how far around it to look."""

    position: Position
    time: datetime
    radius_m: float

    @property
    def point(self) -> Shape:
        return Shape(Point(self.position.lon, self.position.lat))

    @property
    def area(self) -> Shape:
        """The searched circle (a point when the radius is 0)."""
        return Shape(Point(self.position.lon, self.position.lat), self.radius_m)


@dataclass(frozen=True, slots=True)
class NoticeHit:
    """``distance_m``: from the notice's geometry to the point; ``filing`` is None for a notice
    the hub never filed (a scenario loaded without a running hub)."""

    notice: Notice
    filing: Filing | None
    distance_m: float

    @property
    def covers_point(self) -> bool:
        return self.distance_m <= self.notice.buffer_m


@dataclass(frozen=True, slots=True)
class UnitHit:
    """``distance_m``: from the point to the edge of the unit's footprint (0 when inside)."""

    unit: Unit
    fix: Fix
    distance_m: float
    live: bool


@dataclass(frozen=True, slots=True)
class SiteHit:
    site: Site
    distance_m: float


@dataclass(frozen=True, slots=True)
class ZoneHit:
    """A zone in effect at the moment; ``effective`` when its version took effect (None for a
    zone that came with the scenario)."""

    zone: Zone
    distance_m: float
    effective: datetime | None


@dataclass(frozen=True, slots=True)
class LineHit:
    """``side``: the side the point fell on (None: on neither, beyond an end or on the line);
    ``reached``: the sides the searched circle reaches."""

    zone: Zone
    distance_m: float
    effective: datetime | None
    side: Side | None
    reached: tuple[Side, ...]

    @property
    def party(self) -> str | None:
        return None if self.side is None else self.zone.side_party(self.side)


@dataclass(frozen=True, slots=True)
class Correlation:
    """Everything around the event, as the hub knows it (nothing withheld yet)."""

    query: IncidentQuery
    picture: Scenario  # the hub's state with units at their last fix before the moment
    notices: tuple[NoticeHit, ...]
    units: tuple[UnitHit, ...]
    sites: tuple[SiteHit, ...]
    zones: tuple[ZoneHit, ...]
    lines: tuple[LineHit, ...]
    messages: tuple[Message, ...]

    def items(self) -> tuple[IncidentItem, ...]:
        """The objects found, as the incident records them."""
        return (*(IncidentItem("notice", h.notice.id) for h in self.notices),
                *(IncidentItem("unit", h.unit.id) for h in self.units),
                *(IncidentItem("site", h.site.id) for h in self.sites),
                *(IncidentItem("zone", f"{h.zone.id}@{h.zone.version}") for h in self.zones),
                *(IncidentItem("line", f"{h.zone.id}@{h.zone.version}") for h in self.lines),
                *(IncidentItem("message", m.id) for m in self.messages))


def correlate(store: Store, filings: dict[str, Filing], query: IncidentQuery) -> Correlation:
    """Correlate the event with the store's state. ``filings`` are the hub's, by notice id."""
    try:
        picture = store.scenario(query.time, tail=1)
    except NotFoundError:
        raise NotFoundError("the hub holds no scenario yet", field="db") from None
    notices = _notice_hits(picture.notices, filings, query)
    sites = _site_hits(picture.sites, query)
    zones, lines = _zone_hits(_zones_at(picture.zones, store.zone_versions(), query.time), query)
    named = {h.notice.id for h in notices} | {h.site.id for h in sites}
    return Correlation(query, picture, tuple(notices), tuple(_unit_hits(picture.units, query)),
                       tuple(sites), tuple(zones), tuple(lines),
                       tuple(_linked_messages(store.messages(), named)))


def _notice_hits(notices: Sequence[Notice], filings: dict[str, Filing], query: IncidentQuery
                 ) -> list[NoticeHit]:
    layer: ShapeLayer[Notice] = ShapeLayer(notices)
    widest = max((n.buffer_m for n in notices), default=0.0)
    found = []
    for notice in layer.near(query.point, widest + query.radius_m):
        if not notice.window.contains(query.time):
            continue
        if notice.altitude is not None and not notice.altitude.contains(query.position.alt_m):
            continue
        d = distance_m(notice.shape, query.point)
        if d <= notice.buffer_m + query.radius_m:
            found.append(NoticeHit(notice, filings.get(notice.id), d))
    return sorted(found, key=lambda h: (h.distance_m, h.notice.id))


def _unit_hits(units: Sequence[Unit], query: IncidentQuery) -> list[UnitHit]:
    layer = UnitLayer.at(units, query.time)
    idx = layer.index.candidates(query.point.geometry, query.radius_m + layer.max_radius)
    if len(idx) == 0:
        return []
    d = point_distances(layer.lons[idx], layer.lats[idx], query.point)
    edge = np.maximum(0.0, d - layer.radii[idx])
    by_id = {u.id: u for u in units}
    moment = query.time.timestamp()
    found = []
    for k in np.flatnonzero(edge <= query.radius_m):
        i = int(idx[k])
        unit = by_id[layer.ids[i]]
        found.append(UnitHit(unit, unit.track[-1], float(edge[k]),
                             bool(layer.stale[i] > moment)))
    return sorted(found, key=lambda h: (h.distance_m, h.unit.id))


def _site_hits(sites: Sequence[Site], query: IncidentQuery) -> list[SiteHit]:
    layer: ShapeLayer[Site] = ShapeLayer(sites)
    widest = max((s.buffer_m for s in sites), default=0.0)
    found = []
    for site in layer.near(query.point, widest + query.radius_m):
        if site.window is not None and not site.window.contains(query.time):
            continue
        d = distance_m(site.shape, query.point)
        if d <= site.buffer_m + query.radius_m:
            found.append(SiteHit(site, d))
    return sorted(found, key=lambda h: (h.distance_m, h.site.id))


def _zones_at(current: Sequence[Zone], versions: Sequence[ZoneVersion], moment: datetime
              ) -> list[tuple[Zone, datetime | None]]:
    """Zones and lines in effect at ``moment``: the newest version that took effect by then; a
    zone with no recorded version came with the scenario and counts as always in effect."""
    recorded: dict[str, list[ZoneVersion]] = {}
    for version in versions:
        recorded.setdefault(version.zone.id, []).append(version)
    found: list[tuple[Zone, datetime | None]] = []
    for zone in current:
        history = recorded.get(zone.id, [])
        done = [v for v in history if (e := v.effective) is not None and e <= moment]
        if done:
            best = max(done, key=lambda v: v.zone.version)
            found.append((best.zone, best.effective))
        elif all(v.zone.version != zone.version for v in history):
            found.append((zone, None))
    return found


def _zone_hits(zones: Iterable[tuple[Zone, datetime | None]], query: IncidentQuery
               ) -> tuple[list[ZoneHit], list[LineHit]]:
    areas: list[ZoneHit] = []
    lines: list[LineHit] = []
    for zone, effective in zones:
        d = distance_m(zone.shape, query.point)
        if zone.kind is ZoneKind.ZONE:
            if d <= query.radius_m:
                areas.append(ZoneHit(zone, d, effective))
            continue
        hit = _line_hit(zone, d, effective, query)
        if hit.side is not None or hit.reached:
            lines.append(hit)
    return areas, lines


def _line_hit(line: Zone, d: float, effective: datetime | None, query: IncidentQuery) -> LineHit:
    geometry = line.shape.geometry
    at_point = sides_reached(query.point, 0.0, geometry, d)
    # A point exactly on the line, or near a tight bend, may be claimed by both: then neither.
    side = next(iter(at_point)) if len(at_point) == 1 else None
    reached = sides_reached(query.point, query.radius_m, geometry, d) if query.radius_m else set()
    return LineHit(line, d, effective, side, tuple(s for s in Side if s in reached))


def _linked_messages(messages: Sequence[Message], named: set[str]) -> list[Message]:
    return [m for m in messages if names_any(m.text, named)]


def names_any(text: str, ids: Iterable[str]) -> bool:
    """Whether ``text`` names one of ``ids`` as a whole word (ids may contain dashes).

    >>> names_any("re russia-strike-1: holding", {"russia-strike-1"})
    True
    >>> names_any("russia-strike-10 only", {"russia-strike-1"})
    False
    """
    wanted = sorted(ids)
    if not wanted:
        return False
    pattern = r"(?<![\w-])(?:" + "|".join(re.escape(i) for i in wanted) + r")(?![\w-])"
    return re.search(pattern, text) is not None
