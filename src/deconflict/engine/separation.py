"""The separation monitor (rule SEP): non-partner forces closer than their agreed distances.

Candidate pairs come from a k-d tree over earth-centred (ECEF) coordinates: the straight 3-D
distance between two points never exceeds the geodesic between them, so a chord search radius equal
to the widest threshold never drops a true pair. Each candidate is then measured exactly.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

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

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

__all__ = ["SeparationSweep", "ecef", "separation_findings", "separation_involving", "sweep"]

_A = 6_378_137.0
_E2 = 6.69437999014e-3
_CHORD_EXACT_UP_TO_M = 50_000.0


def ecef(lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Earth-centred coordinates in metres of points on the WGS84 ellipsoid's surface."""
    lam, phi = np.radians(lons), np.radians(lats)
    n = _A / np.sqrt(1.0 - _E2 * np.sin(phi) ** 2)
    return np.column_stack((n * np.cos(phi) * np.cos(lam), n * np.cos(phi) * np.sin(lam),
                            n * (1.0 - _E2) * np.sin(phi)))


@dataclass(frozen=True, slots=True)
class SeparationSweep:
    """A sweep's findings as parallel arrays (cheap for millions); ``findings()`` makes objects."""

    ids: tuple[str, ...]
    first: NDArray[np.intp]  # index of the unit whose id sorts first
    second: NDArray[np.intp]
    edge_m: NDArray[np.float64]
    critical: NDArray[np.bool_]

    @property
    def count(self) -> int:
        return len(self.edge_m)

    def findings(self) -> list[SeparationFinding]:
        """Critical first, then closest, then by ids."""
        rank = _id_rank(self.ids)
        order = np.lexsort((rank[self.second], rank[self.first], self.edge_m, ~self.critical))
        return [SeparationFinding(self.ids[a], self.ids[b], float(e),
                                  Severity.CRITICAL if c else Severity.WARN)
                for a, b, e, c in zip(self.first[order].tolist(), self.second[order].tolist(),
                                      self.edge_m[order].tolist(), self.critical[order].tolist(),
                                      strict=True)]


def separation_findings(scenario: Scenario) -> list[SeparationFinding]:
    """Pairs in warn or critical separation at ``scenario.time``: critical first, then closest."""
    return sweep(scenario).findings()


def sweep(scenario: Scenario) -> SeparationSweep:
    """The separation sweep at ``scenario.time``, kept as arrays.

    One k-d tree per party; only pairs of parties that owe each other separation are searched,
    each with its own reach, so pairs within one party or between partners cost nothing.
    """
    layer = _live_layer(scenario)
    codes, names = _party_codes(layer)
    warn, critical = _threshold_tables(names, scenario.separation, scenario.relation_index)
    xyz = ecef(layer.lons, layer.lats)
    from scipy.spatial import cKDTree  # imported when first needed: it is slow to load

    members = [np.flatnonzero(codes == k) for k in range(len(names))]
    trees = [cKDTree(xyz[m]) for m in members]
    found = [_pairs_between(layer, members, trees, warn, i, j)
             for i in range(len(names)) for j in range(i + 1, len(names))
             if not np.isnan(warn[i, j])]
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.intp)
    return _refine(layer, codes, warn, critical, pairs, xyz)


def _pairs_between(layer: UnitLayer, members: list[NDArray[np.intp]], trees: list[cKDTree],
                   warn: NDArray[np.float64], i: int, j: int) -> NDArray[np.intp]:
    """Candidate pairs (global indices) of party ``i`` and party ``j`` units."""
    if len(members[i]) == 0 or len(members[j]) == 0:
        return np.empty((0, 2), dtype=np.intp)
    reach = float(warn[i, j]) + float(layer.radii[members[i]].max()) + float(
        layer.radii[members[j]].max())
    near = trees[i].sparse_distance_matrix(trees[j], reach, output_type="ndarray")
    return np.column_stack((members[i][near["i"]], members[j][near["j"]])).astype(np.intp)


def separation_involving(scenario: Scenario, unit_ids: Collection[str]) -> list[SeparationFinding]:
    """Pairs in warn or critical separation that include one of ``unit_ids`` (after they moved)."""
    layer = _live_layer(scenario)
    wanted = set(unit_ids)
    moved = np.array([i for i, u in enumerate(layer.ids) if u in wanted], dtype=np.intp)
    codes, names = _party_codes(layer)
    warn, critical = _threshold_tables(names, scenario.separation, scenario.relation_index)
    if len(moved) == 0 or len(layer.ids) < 2 or not np.isfinite(warn).any():
        return []
    reach = float(np.nanmax(warn)) + 2 * layer.max_radius
    from scipy.spatial import cKDTree

    xyz = ecef(layer.lons, layer.lats)
    near = cKDTree(xyz).query_ball_point(xyz[moved], reach)
    found = {(min(int(i), j), max(int(i), j)) for i, js in zip(moved, near, strict=True)
             for j in js if j != i}
    pairs = np.array(sorted(found), dtype=np.intp).reshape(-1, 2)
    return _refine(layer, codes, warn, critical, pairs, xyz).findings()


def _live_layer(scenario: Scenario) -> UnitLayer:
    layer = UnitLayer.at(scenario.units, scenario.time)
    return layer.where(layer.stale > scenario.time.timestamp())


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
            critical: NDArray[np.float64], pairs: NDArray[np.intp], xyz: NDArray[np.float64]
            ) -> SeparationSweep:
    a, b = pairs[:, 0], pairs[:, 1]
    w = warn[codes[a], codes[b]]
    keep = ~np.isnan(w)
    a, b, w = a[keep], b[keep], w[keep]
    d = geodesic_from_chord(layer, a, b, xyz)
    edge = np.maximum(0.0, d - layer.radii[a] - layer.radii[b])
    hit = edge <= w
    a, b, edge = a[hit], b[hit], edge[hit]
    crit = edge <= critical[codes[a], codes[b]]
    rank = _id_rank(layer.ids)
    swap = rank[a] > rank[b]
    return SeparationSweep(layer.ids, np.where(swap, b, a), np.where(swap, a, b), edge, crit)


def geodesic_from_chord(layer: UnitLayer, a: NDArray[np.intp], b: NDArray[np.intp],
                        xyz: NDArray[np.float64]) -> NDArray[np.float64]:
    """Geodesic lengths of pairs, from their 3-D chords where that is exact enough.

    For a chord ``c`` the geodesic is ``c + c^3 / (24 rho^2)`` plus terms of order
    ``c^5 / rho^4``, ``rho`` being the earth's radius of curvature along the pair (between 6 335 and
    6 400 km); up to 50 km the remainder is far below a millimetre. Longer pairs use pyproj.
    """
    chord = np.linalg.norm(xyz[a] - xyz[b], axis=1)
    rho = _curvature_radius(layer.lats[a])
    d = chord + chord**3 / (24.0 * rho**2)
    far = np.flatnonzero(chord > _CHORD_EXACT_UP_TO_M)
    if len(far):
        i, j = a[far], b[far]
        d[far] = GEOD.inv(layer.lons[i], layer.lats[i], layer.lons[j], layer.lats[j])[2]
    return np.asarray(d, dtype=np.float64)


def _curvature_radius(lats: NDArray[np.float64]) -> NDArray[np.float64]:
    """Gaussian mean radius sqrt(M N): within 1% of any direction's radius of curvature."""
    s2 = np.sin(np.radians(lats)) ** 2
    w = np.sqrt(1.0 - _E2 * s2)
    m = _A * (1.0 - _E2) / w**3
    n = _A / w
    return np.asarray(np.sqrt(m * n), dtype=np.float64)


def _id_rank(ids: tuple[str, ...]) -> NDArray[np.intp]:
    rank = np.empty(len(ids), dtype=np.intp)
    rank[np.argsort(np.array(ids, dtype=np.str_), kind="stable")] = np.arange(len(ids))
    return rank
