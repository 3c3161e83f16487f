"""Blind screening of a notice against everything the hub knows (rules of DESIGN.md).

``Screener`` indexes a scenario once; ``screen`` then answers for any notice. The answer is the
whole truth: disclosure is applied later, by whoever shows it to a party.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from numpy.typing import NDArray

from deconflict.engine.geodesy import densify, distance_m, point_distances, project, to_local
from deconflict.engine.layers import ShapeLayer, UnitLayer
from deconflict.engine.sides import sides_reached
from deconflict.errors import NotFoundError
from deconflict.model import (
    Conflict,
    Notice,
    Rule,
    Scenario,
    Severity,
    Site,
    Verdict,
    Zone,
    ZoneKind,
)

__all__ = ["Screener", "screen_notices", "verdict_of"]

_RULE_ORDER = {rule: i for i, rule in enumerate(Rule)}
_EARTH_RADIUS_M = 6_371_000.0


def verdict_of(conflicts: Sequence[Conflict]) -> Verdict:
    return Verdict.CONFLICT if conflicts else Verdict.CLEAR


class Screener:
    """Everything a notice is screened against, indexed at the scenario's "now"."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.relations = scenario.relation_index
        self.units = UnitLayer.at(scenario.units, scenario.time)
        self.sites: ShapeLayer[Site] = ShapeLayer(scenario.sites)
        self.notices: ShapeLayer[Notice] = ShapeLayer(scenario.notices)
        self.zones = tuple(z for z in scenario.zones if z.kind is ZoneKind.ZONE)
        self.lines = tuple(z for z in scenario.zones if z.kind is ZoneKind.LINE)

    def screen(self, notice: Notice) -> list[Conflict]:
        """All conflicts of ``notice``, ordered by rule then distance."""
        friendly = self.relations.friendly(notice.party)
        found = [
            *self._unit_conflicts(notice, friendly),
            *self._site_conflicts(notice),
            *self._zone_conflicts(notice, friendly),
            *self._line_conflicts(notice, friendly),
            *self._notice_conflicts(notice),
        ]
        return sorted(found, key=lambda c: (_RULE_ORDER[c.rule], c.distance_m, c.target, c.party))

    # R-UNIT: d <= B + S + r; critical when d <= B + r; stale units ignored.
    def _unit_conflicts(self, notice: Notice, friendly: frozenset[str]) -> list[Conflict]:
        layer, b, s = self.units, notice.buffer_m, notice.effective_standoff_m
        reach = b + s + layer.max_radius + notice.shape.radius_m
        idx = layer.index.candidates(notice.shape.geometry, reach)
        idx = idx[self._eligible_units(idx, notice, friendly)]
        if len(idx) == 0:
            return []
        d = _distances_within(layer.lons[idx], layer.lats[idx], notice, b + s + layer.radii[idx])
        hits = np.flatnonzero(d <= b + s + layer.radii[idx])
        return [self._unit_conflict(int(idx[k]), float(d[k]), b) for k in hits]

    def _eligible_units(self, idx: NDArray[np.intp], notice: Notice, friendly: frozenset[str]
                        ) -> NDArray[np.bool_]:
        layer = self.units
        hostile = ~np.isin(layer.parties[idx], list(friendly))
        live = layer.stale[idx] > notice.window.start.timestamp()
        ok: NDArray[np.bool_] = hostile & live
        if notice.altitude is not None:
            alts = layer.alts[idx]
            band = notice.altitude
            ok &= np.isnan(alts) | ((alts >= band.low_m) & (alts <= band.high_m))
        return ok

    def _unit_conflict(self, i: int, d: float, buffer_m: float) -> Conflict:
        layer = self.units
        critical = d <= buffer_m + float(layer.radii[i])
        return Conflict(Rule.UNIT, layer.ids[i], str(layer.parties[i]), d,
                        Severity.CRITICAL if critical else Severity.WARN)

    # R-SITE: d <= B + S + site buffer, windows overlapping; any party but the notifier's own.
    def _site_conflicts(self, notice: Notice) -> Iterable[Conflict]:
        b, s = notice.buffer_m, notice.effective_standoff_m
        widest = max((x.buffer_m for x in self.sites.items), default=0.0)
        for site in self.sites.near(notice.shape, b + s + widest):
            if site.party == notice.party or not notice.window.overlaps(site.window):
                continue
            d = distance_m(notice.shape, site.shape)
            if d <= b + s + site.buffer_m:
                yield Conflict(Rule.SITE, site.id, site.party, d)

    # R-ZONE: the buffered footprint meets a zone owned by neither the notifier nor a partner.
    def _zone_conflicts(self, notice: Notice, friendly: frozenset[str]) -> Iterable[Conflict]:
        for zone in self.zones:
            if zone.owner in friendly or zone.owner is None:
                continue
            d = distance_m(notice.shape, zone.shape)
            if d <= notice.buffer_m:
                yield Conflict(Rule.ZONE, zone.id, zone.owner, d)

    # R-LINE: the buffered footprint reaches a side held by neither the notifier nor a partner.
    def _line_conflicts(self, notice: Notice, friendly: frozenset[str]) -> Iterable[Conflict]:
        for line in self.lines:
            yield from _line_conflicts(notice, line, friendly)

    # R-NOTICE: another party's notice whose footprint, window and altitude band all meet.
    def _notice_conflicts(self, notice: Notice) -> Iterable[Conflict]:
        widest = max((n.buffer_m for n in self.notices.items), default=0.0)
        for other in self.notices.near(notice.shape, notice.buffer_m + widest):
            if other.id == notice.id or other.party == notice.party:
                continue
            if not (notice.window.overlaps(other.window)
                    and _bands_overlap(notice, other)):
                continue
            d = distance_m(notice.shape, other.shape)
            if d <= notice.buffer_m + other.buffer_m:
                yield Conflict(Rule.NOTICE, other.id, other.party, d)


def _bands_overlap(a: Notice, b: Notice) -> bool:
    return a.altitude is None or a.altitude.overlaps(b.altitude)


def _line_conflicts(notice: Notice, line: Zone, friendly: frozenset[str]) -> list[Conflict]:
    parties = {side: party for side, party in line.sides if party not in friendly}
    if not parties:
        return []
    gap = distance_m(notice.shape, line.shape)
    reached = sides_reached(notice.shape, notice.buffer_m, line.shape.geometry, gap)
    touched = sorted({parties[side] for side in reached if side in parties})
    return [Conflict(Rule.LINE, line.id, party, gap) for party in touched]


def _distances_within(lons: NDArray[np.float64], lats: NDArray[np.float64], notice: Notice,
                      limits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exact distances for points that may be within ``limits``; +inf for the clearly farther.

    Point notices are measured exactly at once. For extended notices a first pass in one AEQD
    plane centred on the notice rejects the clearly distant; its distortion is bounded by a few
    parts in (extent / earth radius)^2, covered by a generous margin.
    """
    shape = notice.shape
    if shape.is_point:
        return point_distances(lons, lats, shape)
    centre = shape.geometry.centroid
    xy = to_local(centre.x, centre.y, lons, lats)
    local = project(densify(shape.geometry), centre.x, centre.y)
    approx = shapely.distance(shapely.points(xy), local) - shape.radius_m
    size = local.bounds
    extent = float(np.hypot(xy[:, 0], xy[:, 1]).max()) + math.dist(size[:2], size[2:])
    margin = 50.0 + (limits + extent) * 4 * (extent / _EARTH_RADIUS_M) ** 2
    out = np.full(len(lons), math.inf)
    near = np.flatnonzero(approx <= limits + margin)
    out[near] = point_distances(lons[near], lats[near], shape)
    return out


def screen_notices(scenario: Scenario, ids: Sequence[str] | None = None
                   ) -> list[tuple[Notice, list[Conflict]]]:
    """Screen the scenario's notices (all, or those named) against the scenario itself."""
    screener = Screener(scenario)
    if ids is None:
        chosen = list(scenario.notices)
    else:
        known = {n.id: n for n in scenario.notices}
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFoundError(f"no notice {missing[0]!r} in the scenario", field="notice")
        chosen = [known[i] for i in ids]
    return [(n, screener.screen(n)) for n in chosen]
