"""The separation monitor (rule SEP): non-partner forces closer than their agreed distances.

Candidate pairs come from a k-d tree over earth-centred (ECEF) coordinates: the straight 3-D
distance between two points never exceeds the geodesic between them, so a chord search radius equal
to the widest threshold never drops a true pair. Each candidate is then measured exactly.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from deconflict.engine.geodesy import GEOD
from deconflict.engine.layers import UnitLayer
from deconflict.model import (
    RelationKind,
    Relations,
    Scenario,
    SeparationFinding,
    SeparationPolicy,
    Severity,
)

__all__ = ["ecef", "separation_findings"]

_A = 6_378_137.0
_E2 = 6.69437999014e-3


def ecef(lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Earth-centred coordinates in metres of points on the WGS84 ellipsoid's surface."""
    lam, phi = np.radians(lons), np.radians(lats)
    n = _A / np.sqrt(1.0 - _E2 * np.sin(phi) ** 2)
    return np.column_stack((n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam),
                            n * (1.0 - _E2) * np.sin(phi)))


def separation_findings(scenario: Scenario) -> list[SeparationFinding]:
    """Pairs in warn or critical separation at ``scenario.time``, closest first."""
    layer = _live_layer(scenario)
    if len(layer.ids) < 2:
        return []
    codes, names = _party_codes(layer)
    warn, critical = _threshold_tables(names, scenario.separation, scenario.relation_index)
    reach = float(np.nanmax(warn)) + 2 * layer.max_radius if np.isfinite(warn).any() else -1.0
    if reach < 0:
        return []
    pairs = cKDTree(ecef(layer.lons, layer.lats)).query_pairs(reach, output_type="ndarray")
    return _refine(layer, codes, warn, critical, pairs)


def _live_layer(scenario: Scenario) -> UnitLayer:
    layer = UnitLayer.at(scenario.units, scenario.time)
    live = layer.stale > scenario.time.timestamp()
    if live.all():
        return layer
    keep = np.flatnonzero(live)
    return UnitLayer.at([u for u in scenario.units if u.id in {layer.ids[i] for i in keep}],
                        scenario.time)


def _party_codes(layer: UnitLayer) -> tuple[NDArray[np.intp], list[str]]:
    names, codes = np.unique(layer.parties, return_inverse=True)
    return codes.astype(np.intp), [str(n) for n in names]


def _threshold_tables(names: list[str], policy: SeparationPolicy, relations: Relations
                      ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per party pair warn/critical distances; NaN where no separation applies."""
    n = len(names)
    warn = np.full((n, n), np.nan)
    critical = np.full((n, n), np.nan)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i == j or relations.kind(a, b) is RelationKind.PARTNER:
                continue
            rule = policy.rule(a, b)
            warn[i, j], critical[i, j] = rule.warn_m, rule.critical_m
    return warn, critical


def _refine(layer: UnitLayer, codes: NDArray[np.intp], warn: NDArray[np.float64],
            critical: NDArray[np.float64], pairs: NDArray[np.intp]) -> list[SeparationFinding]:
    if len(pairs) == 0:
        return []
    a, b = pairs[:, 0], pairs[:, 1]
    w = warn[codes[a], codes[b]]
    keep = ~np.isnan(w)
    a, b, w = a[keep], b[keep], w[keep]
    c = critical[codes[a], codes[b]]
    d = GEOD.inv(layer.lons[a], layer.lats[a], layer.lons[b], layer.lats[b])[2]
    edge = np.maximum(0.0, d - layer.radii[a] - layer.radii[b])
    hits = np.flatnonzero(edge <= w)
    found = [_finding(layer, int(a[k]), int(b[k]), float(edge[k]), bool(edge[k] <= c[k]))
             for k in hits]
    return sorted(found, key=lambda f: (f.level is not Severity.CRITICAL, f.distance_m, f.a, f.b))


def _finding(layer: UnitLayer, i: int, j: int, edge: float, critical: bool) -> SeparationFinding:
    first, second = sorted((layer.ids[i], layer.ids[j]))
    level = Severity.CRITICAL if critical else Severity.WARN
    return SeparationFinding(first, second, edge, level)


def sweep_time(scenario: Scenario, moment: datetime) -> list[SeparationFinding]:
    """Separation at another moment of the same scenario (replays and timelines)."""
    return separation_findings(scenario.at(moment))
