"""Benchmark ``separation``: a full sweep (rule SEP) over clustered units of ten parties.

Units gather around a few dozen places (see :func:`bench.synthetic.clustered_cloud`); two
partner pairs among the parties never alert, nor do units of one party. The baseline is brute
force: numpy haversine over all ``n (n - 1) / 2`` pairs, in blocks, which is only affordable at
the smaller sizes; there engine and baseline run side by side and must find the same pairs. The
engine also runs alone at the largest size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray

from bench.baseline import Agreement, Disputed, Points, ellipsoidal_m, haversine_m, pairs_within
from bench.harness import Row, Scale, Section, Target, time_calls
from bench.synthetic import PARTIES, PARTNERS, Cloud, clustered_cloud, scenario_of
from deconflict.engine.separation import separation_findings, sweep
from deconflict.model import Scenario, SeparationFinding, SeparationPolicy

__all__ = ["SIZES", "TARGET", "TARGET_UNITS", "SeparationSizes", "baseline_pairs", "run"]

TARGET = Target(1.0)
TARGET_UNITS = 100_000

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class SeparationSizes:
    shared: tuple[int, ...]  # engine and baseline side by side
    engine_only: tuple[int, ...]
    repeats: int  # runs per measurement (engine and baseline alike)...
    budget_s: float  # ...but no new run once the runs so far took this long together


SIZES = {
    Scale.FULL: SeparationSizes((10_000, 20_000), (100_000,), 3, 20.0),
    Scale.QUICK: SeparationSizes((2_000, 5_000), (20_000,), 3, 5.0),
    Scale.TINY: SeparationSizes((1_000,), (), 1, 0.0),
}


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    rows: list[Row] = []
    unexplained = 0
    for n in sorted((*size.shared, *size.engine_only)):
        cloud = clustered_cloud(n, seed=10)
        scenario = scenario_of(cloud, seed=11, partners=True)
        timing, findings = time_calls(partial(separation_findings, scenario), size.repeats,
                                      size.budget_s)
        target = TARGET if n == TARGET_UNITS else None
        rows.append(Row("separation", f"{n:,} units", "engine: separation_findings", timing,
                        len(findings), target))
        arrays, swept = time_calls(partial(sweep, scenario), size.repeats, size.budget_s)
        rows.append(Row("separation", f"{n:,} units", "engine: sweep (arrays, no objects)",
                        arrays, swept.count, target))
        if n in size.shared:
            row, agreement = _baseline_row(cloud, scenario, findings, size)
            rows.append(row)
            unexplained += agreement.unexplained
    return Section("separation", rows, unexplained)


def _baseline_row(cloud: Cloud, scenario: Scenario, findings: list[SeparationFinding],
                  size: SeparationSizes) -> tuple[Row, Agreement]:
    timing, pairs = time_calls(lambda: baseline_pairs(cloud, scenario.separation), size.repeats,
                               size.budget_s)
    agreement = _compare(cloud, scenario.separation, findings, pairs)
    n = len(cloud.lons)
    row = Row("separation", f"{n:,} units", "baseline numpy haversine: all pairs", timing,
              len(pairs), check=agreement.describe("pair set"))
    return row, agreement


def _warn_table(policy: SeparationPolicy) -> NDArray[np.float64]:
    """warn_m per pair of party codes; NaN for one party with itself and for partners."""
    table = np.array([[policy.rule(a, b).warn_m for b in PARTIES] for a in PARTIES])
    np.fill_diagonal(table, np.nan)
    for a, b in PARTNERS:
        i, j = PARTIES.index(a), PARTIES.index(b)
        table[i, j] = table[j, i] = np.nan
    return table


def baseline_pairs(cloud: Cloud, policy: SeparationPolicy) -> set[Pair]:
    """Every pair within its warn distance (edge distance ``d - r_a - r_b``), by brute force."""
    warn = _warn_table(policy)
    codes, radii = cloud.parties, cloud.radii
    reach = float(np.nanmax(warn)) + 2 * float(radii.max(initial=0.0))

    def accept(i: NDArray[np.intp], j: NDArray[np.intp], d: NDArray[np.float64]
               ) -> NDArray[np.bool_]:
        with np.errstate(invalid="ignore"):  # NaN limits (no separation) compare False
            kept: NDArray[np.bool_] = d - radii[i] - radii[j] <= warn[codes[i], codes[j]]
        return kept

    found: set[Pair] = set()
    for i, j in pairs_within(Points.of(cloud.lons, cloud.lats), reach, accept):
        found.update(_pair(int(a), int(b)) for a, b in zip(i, j, strict=True))
    return found


def _pair(i: int, j: int) -> Pair:
    a, b = f"u{i}", f"u{j}"
    return (a, b) if a < b else (b, a)


def _compare(cloud: Cloud, policy: SeparationPolicy, findings: list[SeparationFinding],
             pairs: set[Pair]) -> Agreement:
    engine = {(f.a, f.b) for f in findings}
    disputes = [_dispute(cloud, policy, p, p in engine) for p in sorted(engine ^ pairs)]
    return Agreement.of(1, int(engine == pairs), disputes)


def _dispute(cloud: Cloud, policy: SeparationPolicy, pair: Pair, engine_found: bool
             ) -> Disputed:
    """Compare centre distances with ``warn + r_a + r_b``, the same test as on edges."""
    i, j = int(pair[0][1:]), int(pair[1][1:])
    lons, lats = cloud.lons[[i, j]], cloud.lats[[i, j]]
    spherical = float(haversine_m(Points.of(lons[:1], lats[:1]), Points.of(lons[1:], lats[1:]))[0])
    exact = ellipsoidal_m(float(lons[0]), float(lats[0]), float(lons[1]), float(lats[1]))
    rule = policy.rule(PARTIES[int(cloud.parties[i])], PARTIES[int(cloud.parties[j])])
    limit = rule.warn_m + float(cloud.radii[i] + cloud.radii[j])
    return Disputed(engine_found, spherical, exact, limit)
