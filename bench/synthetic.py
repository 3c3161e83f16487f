"""Synthetic scenarios over eastern Syria, reproducible from a seed (numpy ``default_rng``).

Units are reported just before the scenario's "now" and carry no altitude, so every one is live
and counts for any notice; the notifier is a party of its own with no units, partners or
relations, so every unit of the ten parties is a possible conflict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon

from deconflict.model import (
    Fix,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Position,
    Relation,
    RelationKind,
    Scenario,
    Shape,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Window,
)

__all__ = [
    "AREA",
    "NOTIFIER",
    "NOW",
    "PARTIES",
    "PARTNERS",
    "Cloud",
    "clustered_cloud",
    "notices",
    "scenario_of",
    "sites",
    "spread_cloud",
]

#: lon_min, lat_min, lon_max, lat_max: eastern Syria and the Iraqi border.
AREA = (38.0, 33.0, 42.5, 37.0)
NOW = datetime(2017, 9, 18, 6, 0, tzinfo=UTC)
PARTIES = tuple(f"party-{i}" for i in range(10))
#: Partner pairs used by the separation benchmark (their pairs never alert).
PARTNERS = (("party-0", "party-1"), ("party-2", "party-3"))
NOTIFIER = "notifier"
HUMANITARIAN = "relief"

_M_PER_DEG_LAT = 110_940.0  # near 35° N; only used to scatter points, never to measure
_NOTICE_WINDOW = Window(NOW + timedelta(hours=1), NOW + timedelta(hours=2))


@dataclass(frozen=True, slots=True)
class Cloud:
    """Units as parallel arrays: what both the engine's scenario and the baselines are built
    from."""

    lons: NDArray[np.float64]
    lats: NDArray[np.float64]
    radii: NDArray[np.float64]
    parties: NDArray[np.intp]  # index into PARTIES

    @property
    def ids(self) -> list[str]:
        return [f"u{i}" for i in range(len(self.lons))]


def spread_cloud(n: int, seed: int) -> Cloud:
    """``n`` units uniform over :data:`AREA`, ten parties, radius 0–1000 m."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = AREA
    return Cloud(rng.uniform(lon0, lon1, n), rng.uniform(lat0, lat1, n),
                 rng.uniform(0.0, 1000.0, n), rng.integers(0, len(PARTIES), n))


def clustered_cloud(n: int, seed: int, places: int = 40) -> Cloud:
    """``n`` units gathered around a few dozen places (towns, bases, crossings).

    Clusters are Gaussian with a spread of 10–30 km and uneven sizes (some places draw far more
    forces). Each place is held by one party and its territory is the land nearer to it than to
    any other place; a unit belongs to the holder of the territory it stands in, so contacts
    happen where clusters of different holders meet (front lines). 1 % of the units belong to a
    random party wherever they are (patrols, liaison teams).
    """
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = AREA
    centres = np.column_stack((rng.uniform(lon0 + 0.3, lon1 - 0.3, places),
                               rng.uniform(lat0 + 0.3, lat1 - 0.3, places)))
    spread_m = rng.uniform(10_000.0, 30_000.0, places)
    holder = rng.integers(0, len(PARTIES), places)
    place = rng.choice(places, size=n, p=rng.dirichlet(np.full(places, 2.0)))
    north = rng.normal(0.0, 1.0, n) * spread_m[place]
    east = rng.normal(0.0, 1.0, n) * spread_m[place]
    lats = np.clip(centres[place, 1] + north / _M_PER_DEG_LAT, lat0, lat1)
    lons = np.clip(centres[place, 0] + east / (_M_PER_DEG_LAT * np.cos(np.radians(lats))),
                   lon0, lon1)
    territory = holder[_nearest(centres, lons, lats)]
    parties = np.where(rng.random(n) < 0.01, rng.integers(0, len(PARTIES), n), territory)
    return Cloud(lons, lats, rng.uniform(0.0, 1000.0, n), parties)


def _nearest(centres: NDArray[np.float64], lons: NDArray[np.float64], lats: NDArray[np.float64]
             ) -> NDArray[np.intp]:
    """Index of the nearest centre; degrees of longitude shrunk to their length at 35° N."""
    squash = math.cos(math.radians(35.0))
    tree = cKDTree(np.column_stack((centres[:, 0] * squash, centres[:, 1])))
    found: NDArray[np.intp] = tree.query(np.column_stack((lons * squash, lats)))[1]
    return found


def units_of(cloud: Cloud, seed: int) -> tuple[Unit, ...]:
    """Model units for a cloud, each with one fix observed in the half hour before :data:`NOW`."""
    rng = np.random.default_rng(seed)
    ages = rng.uniform(0.0, 1800.0, len(cloud.lons))
    return tuple(
        Unit(ident, PARTIES[int(p)], UnitKind.GROUND,
             (Fix(Position(float(lon), float(lat)), NOW - timedelta(seconds=float(age)),
                  float(r)),))
        for ident, lon, lat, r, p, age in zip(cloud.ids, cloud.lons, cloud.lats, cloud.radii,
                                              cloud.parties, ages, strict=True)
    )


def sites(n: int, seed: int) -> tuple[Site, ...]:
    """``n`` protected point sites of one humanitarian party, buffers 100–1000 m, no window."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = AREA
    kinds = [k for k in SiteKind if k is not SiteKind.CONVOY]
    lons, lats = rng.uniform(lon0, lon1, n), rng.uniform(lat0, lat1, n)
    buffers, picks = rng.uniform(100.0, 1000.0, n), rng.integers(0, len(kinds), n)
    return tuple(
        Site(f"s{i}", HUMANITARIAN, kinds[int(k)], Shape(Point(float(x), float(y))), float(b))
        for i, (x, y, b, k) in enumerate(zip(lons, lats, buffers, picks, strict=True))
    )


def scenario_of(cloud: Cloud, seed: int, site_list: tuple[Site, ...] = (),
                partners: bool = False) -> Scenario:
    """A scenario at :data:`NOW` holding the cloud's units (and sites); partners on request."""
    parties = (*(Party(p, p.replace("-", " ").title(), PartyKind.STATE) for p in PARTIES),
               Party(NOTIFIER, "Notifier", PartyKind.STATE),
               Party(HUMANITARIAN, "Relief agency", PartyKind.HUMANITARIAN))
    relations = tuple(Relation(a, b, RelationKind.PARTNER) for a, b in PARTNERS) if partners else ()
    return Scenario(time=NOW, name="benchmark", parties=parties, relations=relations,
                    units=units_of(cloud, seed), sites=site_list)


def notices(n: int, seed: int) -> list[Notice]:
    """A mix of notices by :data:`NOTIFIER`: 60 % point air strikes (buffer 1000 m, default
    standoff 5000 m), 20 % short ground-move lines, 20 % small artillery polygons."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(3, size=n, p=[0.6, 0.2, 0.2])
    makers = (_strike, _move, _barrage)
    return [makers[int(k)](f"n{i}", rng) for i, k in enumerate(kinds)]


def _inner_point(rng: np.random.Generator) -> tuple[float, float]:
    lon0, lat0, lon1, lat1 = AREA
    return float(rng.uniform(lon0 + 0.2, lon1 - 0.2)), float(rng.uniform(lat0 + 0.2, lat1 - 0.2))


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    dlat = north_m / _M_PER_DEG_LAT
    return lon + east_m / (_M_PER_DEG_LAT * math.cos(math.radians(lat))), lat + dlat


def _strike(ident: str, rng: np.random.Generator) -> Notice:
    return Notice(ident, NOTIFIER, NoticeKind.AIR_STRIKE, Shape(Point(*_inner_point(rng))),
                  _NOTICE_WINDOW, buffer_m=1000.0)


def _move(ident: str, rng: np.random.Generator) -> Notice:
    """A route of 2–4 legs, 2–10 km long in all, buffer 500 m."""
    lon, lat = _inner_point(rng)
    legs = int(rng.integers(2, 5))
    heading = rng.uniform(0, 2 * math.pi)
    step = rng.uniform(2_000.0, 10_000.0) / legs
    coords = [(lon, lat)]
    for _ in range(legs):
        heading += rng.normal(0.0, 0.4)
        lon, lat = _offset(lon, lat, step * math.sin(heading), step * math.cos(heading))
        coords.append((lon, lat))
    return Notice(ident, NOTIFIER, NoticeKind.GROUND_MOVE, Shape(LineString(coords)),
                  _NOTICE_WINDOW, buffer_m=500.0)


def _barrage(ident: str, rng: np.random.Generator) -> Notice:
    """A target box: a jittered hexagon 1–4 km across, buffer 500 m."""
    lon, lat = _inner_point(rng)
    radius = rng.uniform(500.0, 2_000.0)
    angles = np.sort(rng.uniform(0, 2 * math.pi, 6))
    ring = [_offset(lon, lat, radius * math.sin(a), radius * math.cos(a)) for a in angles]
    return Notice(ident, NOTIFIER, NoticeKind.ARTILLERY, Shape(Polygon(ring)), _NOTICE_WINDOW,
                  buffer_m=500.0)
