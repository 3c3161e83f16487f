"""Benchmark ``screen``: one notice at a time against 100,000 units and 10,000 protected sites.

The engine indexes the scenario once (``Screener``; its build time is reported apart), then
screens N different notices: point air strikes (buffer 1000 m + default standoff 5000 m), short
ground-move lines and small artillery polygons. The baseline is brute force: numpy haversine
from a point notice to every unit and every site, with no index, which is all a point notice
needs. On every point notice both must find the same unit and site ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bench.baseline import Agreement, Disputed, Points, ellipsoidal_m, haversine_m
from bench.harness import Row, Scale, Section, Target, Timing, time_calls, time_each
from bench.synthetic import NOTIFIER, Cloud, notices, scenario_of, sites, spread_cloud
from deconflict.engine.screening import Screener
from deconflict.model import Conflict, Notice, Rule, Site

__all__ = ["SIZES", "TARGET", "TARGET_UNITS", "BaselineScreener", "ScreenSizes", "run"]

TARGET = Target(0.005)
#: The issue sets the target for this many units (10,000 sites); smaller runs show none.
TARGET_UNITS = 100_000


@dataclass(frozen=True, slots=True)
class ScreenSizes:
    units: int
    sites: int
    notices: int
    builds: int  # how many times the index is built, for its median


SIZES = {
    Scale.FULL: ScreenSizes(100_000, 10_000, 200, 3),
    Scale.QUICK: ScreenSizes(10_000, 1_000, 60, 3),
    Scale.TINY: ScreenSizes(2_000, 200, 40, 1),
}


class BaselineScreener:
    """R-UNIT and R-SITE for point notices by brute force: every unit, every site, every time."""

    def __init__(self, cloud: Cloud, site_list: Sequence[Site], notifier: str) -> None:
        self.units = Points.of(cloud.lons, cloud.lats)
        self.unit_radii = cloud.radii
        # The notifier has no partners: every unit of another party counts.
        self.unit_party = np.array([f"party-{p}" for p in cloud.parties])
        self.unit_eligible = self.unit_party != notifier
        self.sites = Points.of(np.array([s.shape.geometry.x for s in site_list]),
                               np.array([s.shape.geometry.y for s in site_list]))
        self.site_buffers = np.array([s.buffer_m for s in site_list])
        self.site_eligible = np.array([s.party != notifier for s in site_list], dtype=bool)

    def screen(self, notice: Notice) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Indices of the units and of the sites a point notice conflicts with."""
        p = notice.shape.geometry
        here = Points.of(np.array([p.x]), np.array([p.y]))
        reach = notice.buffer_m + notice.effective_standoff_m + notice.shape.radius_m
        du = haversine_m(here, self.units)
        ds = haversine_m(here, self.sites)
        units = np.flatnonzero((du <= reach + self.unit_radii) & self.unit_eligible)
        found_sites = np.flatnonzero((ds <= reach + self.site_buffers) & self.site_eligible)
        return units, found_sites


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    cloud = spread_cloud(size.units, seed=1)
    site_list = sites(size.sites, seed=2)
    scenario = scenario_of(cloud, seed=3, site_list=site_list)
    build, screener = time_calls(lambda: Screener(scenario), size.builds)
    batch = notices(size.notices, seed=4)
    screener.screen(notices(1, seed=5)[0])  # warm-up: first-call imports and caches
    timing, found = time_each(screener.screen, batch)
    baseline = BaselineScreener(cloud, site_list, NOTIFIER)
    points = [k for k, n in enumerate(batch) if n.shape.is_point]
    base_timing, base_found = time_each(baseline.screen, [batch[k] for k in points])
    agreement = _compare(cloud, site_list, [batch[k] for k in points],
                         [found[k] for k in points], base_found)
    label = f"{size.units:,} units, {size.sites:,} sites"
    rows = [Row("screen", label, "engine: index build (Screener)", build,
                len(screener.units.ids) + len(site_list))]
    rows += _engine_rows(label, batch, timing, found,
                         TARGET if size.units == TARGET_UNITS else None)
    rows.append(Row("screen", label, f"baseline numpy haversine: point notices ({len(points)})",
                    base_timing, sum(len(u) + len(s) for u, s in base_found),
                    check=agreement.describe("ids")))
    return Section("screen", rows, agreement.unexplained)


def _engine_rows(label: str, batch: list[Notice], timing: Timing, found: list[list[Conflict]],
                 target: Target | None) -> list[Row]:
    groups = [("all", list(range(len(batch))))]
    for kind, name in (("Point", "point"), ("LineString", "line"), ("Polygon", "polygon")):
        groups.append((name, [k for k, n in enumerate(batch) if n.shape.kind == kind]))
    return [Row("screen", label, f"engine: {name} notices ({len(ks)})",
                Timing(tuple(timing.samples[k] for k in ks)), sum(len(found[k]) for k in ks),
                target)
            for name, ks in groups if ks]


def _compare(cloud: Cloud, site_list: Sequence[Site], batch: list[Notice],
             found: list[list[Conflict]],
             base_found: list[tuple[NDArray[np.intp], NDArray[np.intp]]]) -> Agreement:
    equal, disputes = 0, []
    for notice, conflicts, (units, hit_sites) in zip(batch, found, base_found, strict=True):
        engine_ids = {c.target for c in conflicts if c.rule in (Rule.UNIT, Rule.SITE)}
        base_ids = {f"u{i}" for i in units} | {site_list[i].id for i in hit_sites}
        if engine_ids == base_ids:
            equal += 1
        disputes += [_dispute(cloud, site_list, notice, t, t in engine_ids)
                     for t in sorted(engine_ids ^ base_ids)]
    return Agreement.of(len(batch), equal, disputes)


def _dispute(cloud: Cloud, site_list: Sequence[Site], notice: Notice, target: str,
             engine_found: bool) -> Disputed:
    """The disputed target's distances from the notice, spherical and exact, and its limit."""
    k = int(target[1:])
    if target.startswith("u"):
        lon, lat, extra = float(cloud.lons[k]), float(cloud.lats[k]), float(cloud.radii[k])
    else:
        g = site_list[k].shape.geometry
        lon, lat, extra = float(g.x), float(g.y), site_list[k].buffer_m
    p = notice.shape.geometry
    spherical = haversine_m(Points.of(np.array([p.x]), np.array([p.y])),
                            Points.of(np.array([lon]), np.array([lat])))
    limit = notice.buffer_m + notice.effective_standoff_m + extra
    return Disputed(engine_found, float(spherical[0]), ellipsoidal_m(p.x, p.y, lon, lat), limit)
