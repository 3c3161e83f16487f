"""Random screening cases and the hand-written edge-case catalogue (test-only code).

Random cases live around the region of the seeds (lon 38-42, lat 33-37). Every generator takes a
seed and is deterministic. Targets are placed with ``Geodesic.Direct`` from an anchor on the
notice's geometry along an outward azimuth, so that their distance lands near the rule's
thresholds (many within +-50 m, some within +-2 m); the oracle, not the generator, says what the
distance really is. Internally points are ``(lat, lon)``; shapes are built in GeoJSON order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point, Polygon

from deconflict.model import (
    AltitudeBand,
    Fix,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Position,
    Relation,
    RelationKind,
    Rule,
    Scenario,
    SeparationPolicy,
    SeparationRule,
    Severity,
    Shape,
    Side,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Window,
    Zone,
    ZoneKind,
)

__all__ = [
    "NOTIFIER",
    "PARTNER",
    "T0",
    "EdgeCase",
    "Finding",
    "PairFinding",
    "ScreenCase",
    "SeparationCase",
    "edge_cases",
    "line_cases",
    "notice_cases",
    "separation_cases",
    "site_cases",
    "unit_cases",
    "zone_cases",
]

WGS84 = Geodesic.WGS84
LatLon = tuple[float, float]

T0 = datetime(2017, 9, 18, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
NOTIFIER = "blue"
PARTNER = "teal"
OTHERS = ("red", "green", "grey")
ALL_PARTIES = (NOTIFIER, PARTNER, *OTHERS)

PARTIES = (
    Party("blue", "Blue forces", PartyKind.STATE),
    Party("teal", "Blue's partner", PartyKind.NON_STATE, sponsor="blue"),
    Party("red", "Red forces", PartyKind.STATE),
    Party("green", "Green relief", PartyKind.HUMANITARIAN),
    Party("grey", "Grey forces", PartyKind.STATE),
)
RELATIONS = (
    Relation("blue", "teal", RelationKind.PARTNER),
    Relation("blue", "red", RelationKind.HOSTILE),
    Relation("red", "grey", RelationKind.PARTNER),
)
SEPARATION = SeparationPolicy(
    SeparationRule(5000.0, 1000.0),
    {frozenset(("red", "green")): SeparationRule(10000.0, 3000.0),
     frozenset(("blue", "grey")): SeparationRule(3000.0, 3000.0),
     frozenset(("teal", "red")): SeparationRule(2000.0, 500.0)},
)


#: Targets per random scenario (each scenario screens one notice against all of them).
UNITS_PER_CASE = 20
SITES_PER_CASE = 16
ZONES_PER_CASE = 12
NOTICES_PER_CASE = 16
UNITS_PER_SEP_CASE = 5


# --- what a case is --------------------------------------------------------------------------

@dataclass(frozen=True)
class ScreenCase:
    """One notice screened against one scenario."""

    name: str
    scenario: Scenario
    notice: Notice


@dataclass(frozen=True)
class SeparationCase:
    name: str
    scenario: Scenario


@dataclass(frozen=True)
class Finding:
    """A hand-written screening expectation; ``severity``/``distance_m`` None means unchecked."""

    rule: Rule
    target: str
    party: str
    severity: Severity | None = None
    distance_m: float | None = None


@dataclass(frozen=True)
class PairFinding:
    """A hand-written separation expectation (``a`` < ``b``)."""

    a: str
    b: str
    level: Severity | None = None
    distance_m: float | None = None


@dataclass(frozen=True)
class EdgeCase:
    """A named case: findings that must appear, findings that may (within 1 m of a threshold);
    anything else the engine reports is wrong. ``notice`` None means a separation case."""

    name: str
    scenario: Scenario
    notice: Notice | None
    must: tuple[Finding | PairFinding, ...] = ()
    may: tuple[Finding | PairFinding, ...] = ()


# --- geodesy and shape helpers ---------------------------------------------------------------

def direct(p: LatLon, azi: float, dist: float) -> tuple[LatLon, float]:
    """The point ``dist`` metres from ``p`` along azimuth ``azi``, and the azimuth on arrival."""
    r = WGS84.Direct(p[0], p[1], azi, dist)
    return (float(r["lat2"]), float(r["lon2"])), float(r["azi2"])


def go(p: LatLon, azi: float, dist: float) -> LatLon:
    return direct(p, azi, dist)[0]


def along(a: LatLon, b: LatLon, fraction: float) -> tuple[LatLon, float]:
    """The point at ``fraction`` of the geodesic from ``a`` to ``b``, and the azimuth there."""
    line = WGS84.InverseLine(a[0], a[1], b[0], b[1])
    r = line.Position(fraction * line.s13)
    return (float(r["lat2"]), float(r["lon2"])), float(r["azi2"])


def inverse(a: LatLon, b: LatLon) -> tuple[float, float, float]:
    """(distance, azimuth at a, azimuth at b)."""
    r = WGS84.Inverse(a[0], a[1], b[0], b[1])
    return float(r["s12"]), float(r["azi1"]), float(r["azi2"])


def xy(p: LatLon) -> tuple[float, float]:
    return (p[1], p[0])


def point(p: LatLon) -> Shape:
    return Shape(Point(xy(p)))


def circle(p: LatLon, radius: float) -> Shape:
    return Shape(Point(xy(p)), radius)


def line(pts: Sequence[LatLon]) -> Shape:
    return Shape(LineString([xy(p) for p in pts]))


def polygon(ring: Sequence[LatLon], holes: Sequence[Sequence[LatLon]] = ()) -> Shape:
    return Shape(Polygon([xy(p) for p in ring], [[xy(p) for p in h] for h in holes]))


def star(c: LatLon, radii: Sequence[float], start_azi: float = 0.0) -> list[LatLon]:
    """A ring around ``c`` with vertices at even azimuths (clockwise on the map)."""
    step = 360.0 / len(radii)
    return [go(c, start_azi + i * step, r) for i, r in enumerate(radii)]


def window(start: datetime, end: datetime) -> Window:
    return Window(start, end)


def fix(p: LatLon, *, when: datetime = T0 - HOUR, radius: float = 0.0, alt: float | None = None,
        stale: datetime | None = None) -> Fix:
    return Fix(Position(p[1], p[0], alt), when, radius, stale)


def unit(uid: str, party: str, *fixes: Fix) -> Unit:
    return Unit(uid, party, UnitKind.GROUND, tuple(fixes))


def scenario(*, units: Sequence[Unit] = (), sites: Sequence[Site] = (),
             zones: Sequence[Zone] = (), notices: Sequence[Notice] = ()) -> Scenario:
    return Scenario(time=T0, name="oracle", parties=PARTIES, relations=RELATIONS,
                    separation=SEPARATION, units=tuple(units), sites=tuple(sites),
                    zones=tuple(zones), notices=tuple(notices))


# --- random building blocks ------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """A point on a footprint's boundary and the azimuth pointing away from the footprint."""

    at: LatLon
    azi: float


@dataclass(frozen=True)
class Footprint:
    shape: Shape
    centre: LatLon
    extent: float  # farthest reach from the centre, radius included
    anchor: Callable[[random.Random], Anchor]
    inside: LatLon  # a point in or on the footprint


def rand_centre(rng: random.Random, margin: float = 0.4) -> LatLon:
    return (rng.uniform(33 + margin, 37 - margin), rng.uniform(38 + margin, 42 - margin))


def _point_footprint(c: LatLon) -> Footprint:
    return Footprint(point(c), c, 0.0, lambda rng: Anchor(c, rng.uniform(0, 360)), c)


def _circle_footprint(rng: random.Random, c: LatLon, big: float) -> Footprint:
    r = rng.uniform(30.0, big)

    def anchor(g: random.Random) -> Anchor:
        at, azi = direct(c, g.uniform(0, 360), r)
        return Anchor(at, azi)

    return Footprint(circle(c, r), c, r, anchor, c)


def _line_footprint(rng: random.Random, c: LatLon, big: float) -> Footprint:
    heading = rng.uniform(0, 360)
    pts = [c]
    for _ in range(rng.randint(1, 3)):
        heading += rng.uniform(-60, 60)
        pts.append(go(pts[-1], heading, rng.uniform(150.0, big)))

    def anchor(g: random.Random) -> Anchor:
        i = g.randrange(len(pts) - 1)
        if g.random() < 0.3:  # off an end, within its round cap
            end, before = (pts[0], pts[1]) if g.random() < 0.5 else (pts[-1], pts[-2])
            back = inverse(end, before)[1]
            return Anchor(end, back + 180 + g.uniform(-60, 60))
        at, azi = along(pts[i], pts[i + 1], g.uniform(0.05, 0.95))
        return Anchor(at, azi + g.choice((-90, 90)))

    extent = max(inverse(c, p)[0] for p in pts)
    return Footprint(line(pts), c, extent, anchor, pts[0])


def _polygon_footprint(rng: random.Random, c: LatLon, big: float) -> Footprint:
    n = rng.randint(3, 7)
    base = rng.uniform(150.0, big)
    ring = star(c, [base * rng.uniform(0.75, 1.25) for _ in range(n)], rng.uniform(0, 360))

    def anchor(g: random.Random) -> Anchor:
        i = g.randrange(n)
        at, azi = along(ring[i], ring[(i + 1) % n], g.uniform(0.05, 0.95))
        return Anchor(at, azi - 90)  # clockwise ring: the outside is on the left

    return Footprint(polygon([*ring, ring[0]]), c, base * 1.25, anchor, c)


def rand_footprint(rng: random.Random, c: LatLon, kinds: Sequence[str] = ("point", "circle",
                   "line", "polygon"), big: float = 2500.0) -> Footprint:
    kind = rng.choice(kinds)
    if kind == "point":
        return _point_footprint(c)
    if kind == "circle":
        return _circle_footprint(rng, c, big)
    if kind == "line":
        return _line_footprint(rng, c, big)
    return _polygon_footprint(rng, c, big)


def near_threshold(rng: random.Random, thresholds: Sequence[float], far: float) -> float:
    """A distance straddling one of the thresholds (mostly), or anywhere up to ``far``."""
    t = rng.choice(thresholds)
    r = rng.random()
    if r < 0.2:
        return max(0.0, t + rng.uniform(-2.0, 2.0))
    if r < 0.65:
        return max(0.0, t + rng.uniform(-50.0, 50.0))
    return rng.uniform(0.0, far)


def _target_polygon(rng: random.Random, q: LatLon, away: float) -> list[LatLon]:
    """A polygon whose point nearest the footprint is ``q``: an edge or a vertex facing it."""
    depth = rng.uniform(100.0, 4000.0)
    if rng.random() < 0.6:
        q1 = go(q, away - 90, rng.uniform(50.0, 2000.0))
        q2 = go(q, away + 90, rng.uniform(50.0, 2000.0))
        return [q1, q2, go(q2, away, depth), go(q1, away, depth), q1]
    left = go(q, away - rng.uniform(20, 70), depth)
    right = go(q, away + rng.uniform(20, 70), depth)
    return [q, left, go(q, away, depth * 1.2), right, q]


def target_shape(rng: random.Random, q: LatLon, away: float, kinds: Sequence[str]) -> Shape:
    """A shape whose nearest point to the footprint is ``q`` (roughly), extending away."""
    kind = rng.choice(kinds)
    if kind == "point":
        return point(q)
    if kind == "circle":
        r = rng.uniform(10.0, 5000.0)
        return circle(go(q, away, r), r)
    if kind == "line":
        pts = [q]
        for _ in range(rng.randint(1, 3)):
            pts.append(go(pts[-1], away + rng.uniform(-50, 50), rng.uniform(200.0, 3000.0)))
        return line(pts)
    if kind == "holed":  # a vertex at q, a hole in the middle
        far, arrive = direct(q, away, 2500.0)
        hole = star(far, [rng.uniform(100.0, 400.0) for _ in range(4)])
        ring = [q, go(far, arrive - 90, 2600.0), go(far, arrive, 2700.0),
                go(far, arrive + 90, 2600.0), q]
        return polygon(ring, [[*hole, hole[0]]])
    return polygon(_target_polygon(rng, q, away))


def hole_around(rng: random.Random, fp: Footprint, gap: float) -> Shape:
    """A polygon whose hole holds the footprint, the hole's near edge ``gap`` from an anchor."""
    a = fp.anchor(rng)
    q, away = direct(a.at, a.azi, gap)
    c = fp.centre
    reach = fp.extent + gap
    w, back = reach + 1000.0, 3 * reach + 3000.0
    hole = [go(q, away - 90, w), go(q, away + 90, w),
            *(go(c, a.azi + b, back) for b in (135, 180, 225))]
    outer = star(c, [back + rng.uniform(3000.0, 20000.0) for _ in range(6)])
    return polygon([*outer, outer[0]], [[*hole, hole[0]]])


def rand_window(rng: random.Random) -> Window:
    start = T0 + timedelta(seconds=rng.randrange(-3600, 3 * 3600))
    length = 0 if rng.random() < 0.1 else rng.randrange(0, 4 * 3600)
    return window(start, start + timedelta(seconds=length))


def related_window(rng: random.Random, w: Window) -> Window | None:
    """None (always), or a window overlapping, meeting at an instant, or just missing ``w``."""
    r = rng.random()
    if r < 0.3:
        return None
    if r < 0.45:  # meets at an instant
        if rng.random() < 0.5:
            return window(w.end, w.end + timedelta(seconds=rng.randrange(0, 7200)))
        return window(w.start - timedelta(seconds=rng.randrange(0, 7200)), w.start)
    if r < 0.55:  # misses by one second
        return window(w.end + SECOND, w.end + SECOND + HOUR)
    if r < 0.65:
        return window(w.start - 5 * HOUR, w.start - 2 * HOUR)
    start = w.start + timedelta(seconds=rng.randrange(-7200, int(w.seconds) + 1))
    return window(start, start + timedelta(seconds=rng.randrange(0, 7200)))


def rand_band(rng: random.Random) -> AltitudeBand | None:
    if rng.random() < 0.4:
        return None
    low = rng.choice((0.0, rng.uniform(0.0, 6000.0)))
    return AltitudeBand(low, low + rng.uniform(0.0, 6000.0))


def related_band(rng: random.Random, band: AltitudeBand | None) -> AltitudeBand | None:
    """None, or a band overlapping, touching or just missing ``band``."""
    if band is None or rng.random() < 0.3:
        return rand_band(rng)
    r = rng.random()
    if r < 0.25:
        return AltitudeBand(band.high_m, band.high_m + 1000.0)
    if r < 0.4:
        return AltitudeBand(band.high_m + 0.5, band.high_m + 1000.0)
    if r < 0.55:
        return AltitudeBand(max(0.0, band.low_m - 2000.0), band.low_m - 0.5) \
            if band.low_m >= 0.5 else AltitudeBand(band.high_m + 1.0, band.high_m + 2.0)
    mid = (band.low_m + band.high_m) / 2
    return AltitudeBand(mid, mid + rng.uniform(0.0, 3000.0))


def rand_altitude(rng: random.Random, band: AltitudeBand | None) -> float | None:
    r = rng.random()
    if r < 0.5:
        return None
    if band is None or r < 0.6:
        return rng.uniform(0.0, 12000.0)
    return rng.choice((band.low_m, band.high_m, band.high_m + 0.5, band.low_m - 0.5,
                       rng.uniform(band.low_m, band.high_m)))


def rand_notice(rng: random.Random, nid: str, fp: Footprint, party: str = NOTIFIER,
                buffer_max: float = 2000.0) -> Notice:
    kind = rng.choice(list(NoticeKind))
    buffer = 0.0 if rng.random() < 0.15 else rng.uniform(0.0, buffer_max)
    standoff = None if rng.random() < 0.5 else rng.uniform(0.0, 4000.0)
    return Notice(nid, party, kind, fp.shape, rand_window(rng), buffer, standoff,
                  rand_band(rng), name=f"notice {nid}")


def pick_party(rng: random.Random, own: float = 0.1, partner: float = 0.15) -> str:
    r = rng.random()
    if r < own:
        return NOTIFIER
    if r < own + partner:
        return PARTNER
    return rng.choice(OTHERS)


# --- R-UNIT ----------------------------------------------------------------------------------

def _track(rng: random.Random, p: LatLon, decoy: LatLon, start: datetime, radius: float,
           alt: float | None) -> tuple[Fix, ...]:
    """A track whose usable fix (if any) is at ``p``; ``decoy`` is where a wrong fix would be."""
    def f(q: LatLon, when: datetime, stale: datetime | None = None) -> Fix:
        return fix(q, when=when, radius=radius, alt=alt, stale=stale)

    ago = T0 - timedelta(seconds=rng.randrange(0, 3 * 3600))
    r = rng.random()
    if r < 0.5:
        return (f(p, ago),)
    if r < 0.65:
        stale = start + rng.choice((-SECOND, timedelta(0), SECOND,
                                    timedelta(seconds=rng.randrange(-7200, 7200))))
        return (f(p, min(T0, stale) - timedelta(seconds=rng.randrange(0, 7200)), stale),)
    if r < 0.75:
        return (f(p, T0 - timedelta(seconds=rng.randrange(6 * 3600, 9 * 3600))),)
    if r < 0.85:
        return (f(p, ago), f(decoy, T0 + timedelta(seconds=rng.randrange(1, 7200))))
    if r < 0.93:
        return (f(decoy, ago - 2 * HOUR), f(p, ago))
    return (f(decoy, T0 + timedelta(seconds=rng.randrange(1, 7200))),)


def _unit_case(rng: random.Random, name: str) -> ScreenCase:
    fp = rand_footprint(rng, rand_centre(rng))
    notice = rand_notice(rng, f"{name}-n", fp)
    b, s = notice.buffer_m, notice.effective_standoff_m
    units = []
    for k in range(UNITS_PER_CASE):
        radius = 0.0 if rng.random() < 0.4 else rng.uniform(5.0, 1500.0)
        if rng.random() < 0.1:
            p = fp.inside
        else:
            a = fp.anchor(rng)
            p = go(a.at, a.azi, near_threshold(rng, (b + s + radius, b + radius),
                                               1.3 * (b + s + radius) + 500))
        alt = rand_altitude(rng, notice.altitude)
        track = _track(rng, p, fp.inside, notice.window.start, radius, alt)
        units.append(unit(f"{name}-u{k}", pick_party(rng), *track))
    return ScreenCase(name, scenario(units=units), notice)


def unit_cases(seed: int, count: int = 16) -> list[ScreenCase]:
    rng = random.Random(f"unit-{seed}")
    return [_unit_case(rng, f"unit-{seed}-{i}") for i in range(count)]


# --- R-SITE ----------------------------------------------------------------------------------

SITE_SHAPES = ("point", "circle", "line", "polygon", "polygon", "holed")


def _site_case(rng: random.Random, name: str) -> ScreenCase:
    fp = rand_footprint(rng, rand_centre(rng))
    notice = rand_notice(rng, f"{name}-n", fp)
    reach = notice.buffer_m + notice.effective_standoff_m
    sites = []
    for k in range(SITES_PER_CASE):
        buffer = 0.0 if rng.random() < 0.3 else rng.uniform(0.0, 1000.0)
        a = fp.anchor(rng)
        gap = near_threshold(rng, (reach + buffer,), 1.3 * (reach + buffer) + 500)
        q, away = direct(a.at, a.azi, gap)
        shape = target_shape(rng, q, away, SITE_SHAPES)
        if rng.random() < 0.07:
            shape = point(fp.inside)
        kind = SiteKind.CONVOY if shape.kind == "LineString" else rng.choice(list(SiteKind))
        sites.append(Site(f"{name}-s{k}", pick_party(rng), kind, shape, buffer,
                          related_window(rng, notice.window)))
    return ScreenCase(name, scenario(sites=sites), notice)


def site_cases(seed: int, count: int = 16) -> list[ScreenCase]:
    rng = random.Random(f"site-{seed}")
    return [_site_case(rng, f"site-{seed}-{i}") for i in range(count)]


# --- R-ZONE ----------------------------------------------------------------------------------

def _zone_shape(rng: random.Random, fp: Footprint, b: float) -> Shape:
    gap = near_threshold(rng, (b,), 1.5 * b + 500)
    r = rng.random()
    if r < 0.25:
        return hole_around(rng, fp, gap)
    if r < 0.32:
        return circle(fp.centre, fp.extent + rng.uniform(10.0, 20000.0))
    if r < 0.37:
        ring = star(fp.centre, [fp.extent + 3000.0] * 5)
        return polygon([*ring, ring[0]])
    a = fp.anchor(rng)
    q, away = direct(a.at, a.azi, gap)
    return target_shape(rng, q, away, ("polygon", "polygon", "holed", "circle"))


def _zone_case(rng: random.Random, name: str) -> ScreenCase:
    fp = rand_footprint(rng, rand_centre(rng))
    notice = rand_notice(rng, f"{name}-n", fp, buffer_max=3000.0)
    zones = []
    for k in range(ZONES_PER_CASE):
        shape = _zone_shape(rng, fp, notice.buffer_m)
        owner = pick_party(rng, own=0.1, partner=0.1)
        zones.append(Zone(f"{name}-z{k}", ZoneKind.ZONE, shape, (owner, "red"), owner=owner))
    return ScreenCase(name, scenario(zones=zones), notice)


def zone_cases(seed: int, count: int = 16) -> list[ScreenCase]:
    rng = random.Random(f"zone-{seed}")
    return [_zone_case(rng, f"zone-{seed}-{i}") for i in range(count)]


# --- R-LINE ----------------------------------------------------------------------------------

def river(rng: random.Random) -> list[LatLon]:
    """A river-like line: 3-8 vertices, 10-60 km segments, turns under 60 degrees."""
    while True:
        heading = rng.uniform(0, 360)
        pts = [rand_centre(rng, 1.2)]
        total = 0.0
        for _ in range(rng.randint(2, 7)):
            turn = rng.uniform(-55, 55)
            if abs(total + turn) > 100:
                turn = -turn
            total += turn
            heading += turn
            pts.append(go(pts[-1], heading, rng.uniform(10000.0, 60000.0)))
        if all(33 < p[0] < 37 and 38 < p[1] < 42 for p in pts):
            return pts


def _line_zone(rng: random.Random, name: str, pts: list[LatLon]) -> Zone:
    left, right = rng.sample((*OTHERS, *OTHERS, PARTNER, NOTIFIER), 2)
    while right == left:
        right = rng.choice(ALL_PARTIES)
    return Zone(name, ZoneKind.LINE, line(pts), ("red", "blue"),
                sides=((Side.LEFT, left), (Side.RIGHT, right)))


def _facing(rng: random.Random, q: LatLon, away: float, kinds: Sequence[str],
            big: float) -> Shape:
    """A footprint whose nearest point to the line is ``q``, extending along ``away``."""
    kind = rng.choice(kinds)
    if kind == "point":
        return point(q)
    if kind == "circle":
        r = rng.uniform(30.0, big)
        return circle(go(q, away, r), r)
    if kind == "line":
        pts = [q]
        for _ in range(rng.randint(1, 3)):
            pts.append(go(pts[-1], away + rng.uniform(-60, 60), rng.uniform(150.0, big)))
        return line(pts)
    q1, q2 = go(q, away - 90, rng.uniform(50.0, big)), go(q, away + 90, rng.uniform(50.0, big))
    depth = rng.uniform(100.0, big)
    return polygon([q1, q2, go(q2, away, depth), go(q1, away, depth), q1])


def _near_segment(rng: random.Random, pts: list[LatLon], b: float) -> tuple[LatLon, float]:
    i = rng.randrange(len(pts) - 1)
    foot, azi = along(pts[i], pts[i + 1], rng.uniform(0.02, 0.98))
    side = rng.choice((-90, 90))
    r = rng.random()
    gap = rng.uniform(2000.0, 12000.0) if r < 0.15 else near_threshold(rng, (b,), 2 * b + 300)
    return direct(foot, azi + side, gap)


def _near_vertex(rng: random.Random, pts: list[LatLon], b: float) -> tuple[LatLon, float]:
    i = rng.randrange(1, len(pts) - 1)
    back = inverse(pts[i], pts[i - 1])[1]
    out = inverse(pts[i], pts[i + 1])[1]
    bisector = back + ((out - back) % 360) / 2 + rng.choice((0, 180)) + rng.uniform(-30, 30)
    return direct(pts[i], bisector, near_threshold(rng, (b,), 2 * b + 300))


def _near_end(rng: random.Random, pts: list[LatLon], b: float) -> tuple[LatLon, float]:
    """Beyond an end: the footprint's near point about ``b`` from one side's boundary (the
    perpendicular at the end), the footprint extending away from the line."""
    if rng.random() < 0.5:
        end, heading = pts[-1], inverse(pts[-2], pts[-1])[2]
    else:
        end, heading = pts[0], inverse(pts[1], pts[0])[2]  # walking off the start
    turn = rng.choice((-90.0, 90.0))
    ray_at, ray_azi = direct(end, heading + turn, rng.uniform(0.0, 3000.0))
    return direct(ray_at, ray_azi - turn, near_threshold(rng, (b,), 2 * b + 300))


def _line_notice(rng: random.Random, nid: str, pts: list[LatLon], kinds: Sequence[str],
                 big: float) -> Notice:
    proto = rand_notice(rng, nid, _point_footprint(pts[0]), buffer_max=3000.0)
    b = proto.buffer_m
    r = rng.random()
    if r < 0.12:  # across the line
        i = rng.randrange(len(pts) - 1)
        foot, _ = along(pts[i], pts[i + 1], rng.uniform(0.1, 0.9))
        fp = rand_footprint(rng, foot, kinds, big)
        return Notice(nid, proto.party, proto.kind, fp.shape, proto.window, b, proto.standoff_m,
                      proto.altitude)
    place = _near_segment if r < 0.6 else _near_vertex if r < 0.75 else _near_end
    q, away = place(rng, pts, b)
    shape = _facing(rng, q, away, kinds, big)
    return Notice(nid, proto.party, proto.kind, shape, proto.window, b, proto.standoff_m,
                  proto.altitude)


def line_cases(seed: int, count: int = 8, per_line: int = 16,
               kinds: Sequence[str] = ("point", "circle", "line", "polygon"),
               big: float = 2000.0) -> list[ScreenCase]:
    rng = random.Random(f"line-{seed}-{','.join(kinds)}")
    out = []
    for i in range(count):
        pts = river(rng)
        zone = _line_zone(rng, f"line-{seed}-{i}", pts)
        for j in range(per_line):
            notice = _line_notice(rng, f"line-{seed}-{i}-n{j}", pts, kinds, big)
            out.append(ScreenCase(notice.id, scenario(zones=[zone]), notice))
    return out


# --- R-NOTICE --------------------------------------------------------------------------------

def _notice_case(rng: random.Random, name: str) -> ScreenCase:
    fp = rand_footprint(rng, rand_centre(rng))
    me = rand_notice(rng, f"{name}-n", fp)
    others = [me]
    for k in range(NOTICES_PER_CASE):
        other_b = 0.0 if rng.random() < 0.15 else rng.uniform(0.0, 2000.0)
        a = fp.anchor(rng)
        gap = near_threshold(rng, (me.buffer_m + other_b,), 1.3 * (me.buffer_m + other_b) + 500)
        q, away = direct(a.at, a.azi, gap)
        shape = target_shape(rng, q, away, ("point", "circle", "line", "polygon"))
        if rng.random() < 0.07:
            shape = point(fp.inside)
        w = related_window(rng, me.window) or me.window
        others.append(Notice(f"{name}-m{k}", pick_party(rng, 0.15, 0.2),
                             rng.choice(list(NoticeKind)), shape, w, other_b,
                             altitude=related_band(rng, me.altitude)))
    return ScreenCase(name, scenario(notices=others), me)


def notice_cases(seed: int, count: int = 16) -> list[ScreenCase]:
    rng = random.Random(f"notice-{seed}")
    return [_notice_case(rng, f"notice-{seed}-{i}") for i in range(count)]


# --- SEP -------------------------------------------------------------------------------------

def _sep_track(rng: random.Random, p: LatLon, radius: float) -> tuple[Fix, ...]:
    ago = T0 - timedelta(seconds=rng.randrange(0, 4 * 3600))
    r = rng.random()
    if r < 0.8:
        return (fix(p, when=ago, radius=radius),)
    decoy = go(p, rng.uniform(0, 360), rng.uniform(0, 20000.0))
    if r < 0.9:
        return (fix(p, when=ago, radius=radius), fix(decoy, when=T0 + HOUR, radius=radius))
    if r < 0.95:
        return (fix(decoy, when=T0 + 10 * SECOND, radius=radius),)
    return (fix(p, when=T0 - 7 * HOUR, radius=radius),)  # stale by "now"


def _sep_case(rng: random.Random, name: str) -> SeparationCase:
    c = rand_centre(rng)
    placed: list[tuple[str, LatLon, float]] = []
    units = []
    for k in range(UNITS_PER_SEP_CASE):
        party = rng.choice(ALL_PARTIES)
        radius = 0.0 if rng.random() < 0.4 else rng.uniform(5.0, 2000.0)
        if not placed:
            p = c
        else:
            other_party, q, other_r = rng.choice(placed)
            rule = SEPARATION.rule(party, other_party)
            gap = near_threshold(rng, (rule.warn_m, rule.critical_m), 1.3 * rule.warn_m)
            p = go(q, rng.uniform(0, 360), gap + radius + other_r)
        placed.append((party, p, radius))
        units.append(unit(f"{name}-{rng.randrange(1000):03d}-{k}", party,
                          *_sep_track(rng, p, radius)))
    return SeparationCase(name, Scenario(time=T0, parties=PARTIES, relations=RELATIONS,
                                         separation=SEPARATION, units=tuple(units)))


def separation_cases(seed: int, count: int = 60) -> list[SeparationCase]:
    rng = random.Random(f"sep-{seed}")
    return [_sep_case(rng, f"sep-{seed}-{i}") for i in range(count)]


# --- the edge-case catalogue -----------------------------------------------------------------
# Each builder returns EdgeCases with findings worked out by hand (comments say how).

C = (35.0, 40.0)
W1 = window(T0 + HOUR, T0 + 2 * HOUR)


def flight(nid: str, shape: Shape, *, buffer: float = 0.0, party: str = NOTIFIER,
           w: Window = W1, band: AltitudeBand | None = None) -> Notice:
    """A flight notice: no default standoff, so the thresholds are the buffers alone."""
    return Notice(nid, party, NoticeKind.FLIGHT, shape, w, buffer, None, band)


def zone(zid: str, shape: Shape, owner: str = "red") -> Zone:
    return Zone(zid, ZoneKind.ZONE, shape, (owner,), owner=owner)


def site(sid: str, shape: Shape, party: str = "green", buffer: float = 0.0,
         w: Window | None = None) -> Site:
    return Site(sid, party, SiteKind.HOSPITAL, shape, buffer, w)


def square(sw: LatLon, size_deg: float = 0.02) -> Shape:
    lat, lon = sw
    d = size_deg
    return polygon([(lat, lon), (lat, lon + d), (lat + d, lon + d), (lat + d, lon), (lat, lon)])


def _touching() -> list[EdgeCase]:
    # Squares sharing the edge lon=40.02 and a square meeting the first at one corner: d == 0.
    # A 5 m buffer makes the conflict certain; with no buffer d == threshold, so either way.
    n = square((35.0, 40.0))
    zones = [zone("z-edge", square((35.0, 40.02)))]
    sites = [site("s-corner", square((35.02, 40.02)))]
    units = [unit("u-vertex", "red", fix((35.02, 40.02)))]
    scen = scenario(zones=zones, sites=sites, units=units)
    touching = (Finding(Rule.ZONE, "z-edge", "red", distance_m=0.0),
                Finding(Rule.SITE, "s-corner", "green", distance_m=0.0),
                Finding(Rule.UNIT, "u-vertex", "red", Severity.CRITICAL, 0.0))
    return [
        EdgeCase("touching geometries, 5 m buffer", scen, flight("n", n, buffer=5.0), touching),
        EdgeCase("touching geometries, no buffer", scen, flight("n", n), may=touching),
    ]


def _on_threshold() -> list[EdgeCase]:
    # Air strike at C: B=1000, default standoff 5000; units of radius 200, so the R-UNIT
    # thresholds are 6200 (warn) and 1200 (critical). Units sit at exact geodesic distances.
    n = Notice("strike", NOTIFIER, NoticeKind.AIR_STRIKE, point(C), W1, 1000.0)
    at = {"u-warn-edge": 6200.0, "u-warn-in": 6198.5, "u-warn-out": 6201.5,
          "u-crit-edge": 1200.0, "u-crit-in": 1198.5, "u-crit-out": 1201.5}
    units = [unit(k, "red", fix(go(C, 37.0 + i * 50, d), radius=200.0))
             for i, (k, d) in enumerate(at.items())]
    # Artillery at C: B=200, standoff 3000, site buffer 300: R-SITE threshold 3500. Each site
    # polygon has an edge perpendicular to the geodesic from C at its foot, so d is exact.
    art = Notice("art", NOTIFIER, NoticeKind.ARTILLERY, point(C), W1, 200.0)
    sites = [site(f"s-{tag}", _facing_square(C, 200.0 + 80 * i, d), buffer=300.0)
             for i, (tag, d) in enumerate((("edge", 3500.0), ("in", 3498.5), ("out", 3501.5)))]
    # A circle zone whose rim is exactly B=500 from a point notice (centre 3500 away, r 3000).
    zones = [zone(f"z-{tag}", circle(go(C, 300.0 + 20 * i, d + 3000.0), 3000.0))
             for i, (tag, d) in enumerate((("edge", 500.0), ("in", 498.5), ("out", 501.5)))]
    w = Finding(Rule.UNIT, "u-warn-edge", "red", Severity.WARN, 6200.0)
    return [
        EdgeCase("R-UNIT exactly on the warn and critical thresholds", scenario(units=units), n,
                 must=(Finding(Rule.UNIT, "u-warn-in", "red", Severity.WARN, 6198.5),
                       Finding(Rule.UNIT, "u-crit-edge", "red", None, 1200.0),
                       Finding(Rule.UNIT, "u-crit-in", "red", Severity.CRITICAL, 1198.5),
                       Finding(Rule.UNIT, "u-crit-out", "red", Severity.WARN, 1201.5)),
                 may=(w,)),
        EdgeCase("R-SITE polygon edge exactly on the threshold", scenario(sites=sites), art,
                 must=(Finding(Rule.SITE, "s-in", "green", distance_m=3498.5),),
                 may=(Finding(Rule.SITE, "s-edge", "green", distance_m=3500.0),)),
        EdgeCase("R-ZONE circle rim exactly on the buffer", scenario(zones=zones),
                 flight("n", point(C), buffer=500.0),
                 must=(Finding(Rule.ZONE, "z-in", "red", distance_m=498.5),),
                 may=(Finding(Rule.ZONE, "z-edge", "red", distance_m=500.0),)),
    ]


def _facing_square(c: LatLon, azi: float, d: float, half: float = 800.0) -> Shape:
    """A square whose near edge is perpendicular to the geodesic from ``c`` at distance ``d``."""
    q, away = direct(c, azi, d)
    q1, q2 = go(q, away - 90, half), go(q, away + 90, half)
    return polygon([q1, q2, go(q2, away, 2 * half), go(q1, away, 2 * half), q1])


def _windows() -> list[EdgeCase]:
    t1, t2, t3 = T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR
    sites = [site("s-instant", point(C), w=window(t1, t1)),
             site("s-after", point(C), w=window(t1 + SECOND, t2)),
             site("s-meets-end", point(C), w=window(t2, t3)),
             site("s-meets-start", point(C), w=window(T0, t1)),
             site("s-misses", point(C), w=window(t2 + SECOND, t3)),
             site("s-always", point(C))]
    others = [flight("o-meets", point(C), party="red", w=window(t2, t3)),
              flight("o-misses", point(C), party="red", w=window(t2 + SECOND, t3)),
              flight("o-instant", point(C), party="red", w=window(t1, t1))]
    instant = flight("n-instant", point(C), buffer=10.0, w=window(t1, t1))
    span = flight("n-span", point(C), buffer=10.0, w=window(t1, t2))
    return [
        EdgeCase("zero-length window against sites", scenario(sites=sites), instant,
                 must=(Finding(Rule.SITE, "s-instant", "green"),
                       Finding(Rule.SITE, "s-meets-start", "green"),
                       Finding(Rule.SITE, "s-always", "green"))),
        EdgeCase("windows meeting at an instant", scenario(sites=sites, notices=[span, *others]),
                 span,
                 must=(Finding(Rule.SITE, "s-instant", "green"),
                       Finding(Rule.SITE, "s-after", "green"),
                       Finding(Rule.SITE, "s-meets-end", "green"),
                       Finding(Rule.SITE, "s-meets-start", "green"),
                       Finding(Rule.SITE, "s-always", "green"),
                       Finding(Rule.NOTICE, "o-meets", "red", distance_m=0.0),
                       Finding(Rule.NOTICE, "o-instant", "red", distance_m=0.0))),
    ]


def _altitudes() -> list[EdgeCase]:
    band = AltitudeBand(0.0, 3000.0)
    me = flight("n", point(C), buffer=10.0, band=band)
    others = [flight("o-touch", point(C), party="red", band=AltitudeBand(3000.0, 6000.0)),
              flight("o-above", point(C), party="red", band=AltitudeBand(3000.5, 6000.0)),
              flight("o-any", point(C), party="red")]
    units = [unit("u-top", "red", fix(C, alt=3000.0)), unit("u-over", "red", fix(C, alt=3000.5)),
             unit("u-unknown", "red", fix(C)), unit("u-below", "red", fix(C, alt=-0.5))]
    unbanded = flight("n-any", point(C), buffer=10.0)
    scen = scenario(units=units, notices=[me, *others, unbanded])
    crit = Severity.CRITICAL
    return [
        EdgeCase("altitude bands: closed, missing means all", scen, me,
                 must=(Finding(Rule.NOTICE, "o-touch", "red"), Finding(Rule.NOTICE, "o-any", "red"),
                       Finding(Rule.UNIT, "u-top", "red", crit),
                       Finding(Rule.UNIT, "u-unknown", "red", crit))),
        EdgeCase("no band on the notice: every altitude", scen, unbanded,
                 must=(*(Finding(Rule.NOTICE, o.id, "red") for o in others),
                       *(Finding(Rule.UNIT, u.id, "red", crit) for u in units))),
    ]


def holed_square(c: LatLon, gap: float) -> Shape:
    """A 60 km square around ``c`` with a hole around ``c`` whose nearest edge is ``gap`` north.

    The near edge runs east-west through the point ``gap`` due north of ``c``, perpendicular to
    the meridian there, so d(c, edge) == gap; the hole's other edges are over 4 km from ``c``.
    """
    q, _ = direct(c, 0.0, gap)
    hole = [go(q, 270, 4000.0), go(q, 90, 4000.0), *(go(c, a, 8000.0) for a in (135, 180, 225))]
    outer = [go(c, a, 30000.0) for a in (45, 135, 225, 315)]
    return polygon([*outer, outer[0]], [[*hole, hole[0]]])


def _holes() -> list[EdgeCase]:
    z = scenario(zones=[zone("z-holed", holed_square(C, 2000.0))])
    hit = Finding(Rule.ZONE, "z-holed", "red", distance_m=2000.0)
    cases = [
        EdgeCase("notice in a polygon's hole, buffer short of the hole's edge", z,
                 flight("n", point(C), buffer=1500.0)),
        EdgeCase("notice in a polygon's hole, no buffer: not inside the polygon", z,
                 flight("n", point(C))),
        EdgeCase("notice in a polygon's hole, buffer reaching the edge", z,
                 flight("n", point(C), buffer=2500.0), must=(hit,)),
    ]
    # A notice polygon with a hole: a unit in the hole is 500 m from the polygon; another in the
    # solid part is inside it.
    holed = holed_square(C, 500.0)
    units = [unit("u-hole", "red", fix(C)), unit("u-solid", "red", fix(go(C, 0.0, 20000.0)))]
    solid = Finding(Rule.UNIT, "u-solid", "red", Severity.CRITICAL, 0.0)
    cases += [
        EdgeCase("unit in the hole of a notice polygon", scenario(units=units),
                 flight("n", holed, buffer=5.0), must=(solid,)),
        EdgeCase("unit in the hole of a notice polygon, buffer reaching it", scenario(units=units),
                 flight("n", holed, buffer=600.0),
                 must=(solid, Finding(Rule.UNIT, "u-hole", "red", Severity.CRITICAL, 500.0))),
    ]
    return cases


def _bent_line() -> tuple[list[LatLon], Zone]:
    p0 = C
    p1 = go(p0, 60.0, 20000.0)
    p2 = go(p1, 90.0, 20000.0)
    pts = [p0, p1, p2]
    return pts, Zone("river", ZoneKind.LINE, line(pts), ("red", "green"),
                     sides=((Side.LEFT, "red"), (Side.RIGHT, "green")))


def _line_ends() -> list[EdgeCase]:
    pts, river_zone = _bent_line()
    scen = scenario(zones=[river_zone])
    end, heading = pts[-1], inverse(pts[-2], pts[-1])[2]
    # 300 m beyond the end along the line's direction, then 400 m to its left: 300 m from the
    # left side's boundary (the perpendicular at the end), 500 m from the line (its end).
    past, azi = direct(end, heading, 300.0)
    left_of_end = go(past, azi - 90, 400.0)
    past2, azi2 = direct(end, heading, 600.0)
    far_beyond = go(past2, azi2 - 90, 400.0)
    start, out = pts[0], inverse(pts[1], pts[0])[2]  # walking off the start
    behind, azi3 = direct(start, out, 300.0)
    right_of_start = go(behind, azi3 - 90, 400.0)  # left of the reversed direction = right
    left = Finding(Rule.LINE, "river", "red", distance_m=500.0)
    right = Finding(Rule.LINE, "river", "green", distance_m=500.0)
    return [
        EdgeCase("beyond the end: footprint reaches the left side, not the line", scen,
                 flight("n", point(left_of_end), buffer=450.0), must=(left,)),
        EdgeCase("beyond the end: footprint short of the end's perpendicular: no side", scen,
                 flight("n", point(far_beyond), buffer=550.0)),
        EdgeCase("beyond the start: footprint reaches the right side only", scen,
                 flight("n", point(right_of_start), buffer=450.0), must=(right,)),
        EdgeCase("beyond the end on the extension: footprint covers the end: both sides", scen,
                 flight("n", point(past), buffer=320.0),
                 must=(Finding(Rule.LINE, "river", "red", distance_m=300.0),
                       Finding(Rule.LINE, "river", "green", distance_m=300.0))),
        EdgeCase("beyond the end on the extension, short of it: nothing", scen,
                 flight("n", point(past), buffer=280.0)),
    ]


def _line_points() -> list[EdgeCase]:
    pts, river_zone = _bent_line()
    scen = scenario(zones=[river_zone])
    mid, azi = along(pts[0], pts[1], 0.5)
    both = (Finding(Rule.LINE, "river", "red", distance_m=0.0),
            Finding(Rule.LINE, "river", "green", distance_m=0.0))
    far_left = go(mid, azi - 90, 5000.0)
    red_both = Zone("red-river", ZoneKind.LINE, line(pts), ("red",),
                    sides=((Side.LEFT, "red"), (Side.RIGHT, "red")))
    return [
        EdgeCase("point on the line's bend vertex, 100 m buffer: both sides", scen,
                 flight("n", point(pts[1]), buffer=100.0), must=both),
        EdgeCase("point on the middle of a segment, 100 m buffer: both sides", scen,
                 flight("n", point(mid), buffer=100.0), must=both),
        EdgeCase("point on the line, no buffer: either way", scen,
                 flight("n", point(pts[1])), may=both),
        EdgeCase("one party on both sides: one conflict", scenario(zones=[red_both]),
                 flight("n", point(mid), buffer=100.0),
                 must=(Finding(Rule.LINE, "red-river", "red", distance_m=0.0),)),
        EdgeCase("footprint 5 km left of the line is on the left side", scen,
                 flight("n", point(far_left), buffer=100.0),
                 must=(Finding(Rule.LINE, "river", "red", distance_m=5000.0),)),
        # The line turns right at its bend (60 -> 90 degrees), so the outer wedge, where the
        # vertex itself is the nearest point, lies on the left, between azimuths 330 and 360.
        EdgeCase("outer side of the bend (the vertex is nearest): left side", scen,
                 flight("n", point(go(pts[1], 345.0, 1000.0)), buffer=100.0),
                 must=(Finding(Rule.LINE, "river", "red", distance_m=1000.0),)),
    ]


def _staleness() -> list[EdgeCase]:
    start = W1.start
    units = [
        unit("u-default-stale", "red", fix(C, when=T0 - 6 * HOUR)),  # stale at T0 < start
        unit("u-stale-at-start", "red", fix(C, when=T0 - HOUR, stale=start)),
        unit("u-live-at-start", "red", fix(C, when=T0 - HOUR, stale=start + SECOND)),
        unit("u-no-fix-yet", "red", fix(C, when=T0 + 600 * SECOND)),
        unit("u-future-near", "red", fix(go(C, 0, 50000.0)), fix(C, when=T0 + 600 * SECOND)),
        unit("u-moved-away", "red", fix(C, when=T0 - 2 * HOUR), fix(go(C, 0, 50000.0))),
        unit("u-moved-in", "red", fix(go(C, 0, 50000.0), when=T0 - 2 * HOUR), fix(C)),
    ]
    crit = Severity.CRITICAL
    return [EdgeCase("stale units, units with no fix yet, latest fix at or before now",
                     scenario(units=units), flight("n", point(C), buffer=10.0),
                     must=(Finding(Rule.UNIT, "u-live-at-start", "red", crit, 0.0),
                           Finding(Rule.UNIT, "u-moved-in", "red", crit, 0.0)))]


def _partners() -> list[EdgeCase]:
    pts, _ = _bent_line()
    me = flight("n", point(pts[1]), buffer=100.0)
    river_zone = Zone("river", ZoneKind.LINE, line(pts), ("red",),
                      sides=((Side.LEFT, PARTNER), (Side.RIGHT, "red")))
    p = pts[1]
    scen = scenario(
        units=[unit(f"u-{x}", x, fix(p)) for x in ALL_PARTIES],
        sites=[site(f"s-{x}", point(p), party=x) for x in ALL_PARTIES],
        zones=[river_zone, *(zone(f"z-{x}", circle(p, 50.0), owner=x) for x in ALL_PARTIES)],
        notices=[me, *(flight(f"o-{x}", point(p), party=x) for x in ALL_PARTIES)],
    )
    crit = Severity.CRITICAL
    others = ("red", "green", "grey")
    must = (*(Finding(Rule.UNIT, f"u-{x}", x, crit, 0.0) for x in others),
            *(Finding(Rule.SITE, f"s-{x}", x) for x in (PARTNER, *others)),
            *(Finding(Rule.ZONE, f"z-{x}", x, distance_m=0.0) for x in others),
            *(Finding(Rule.NOTICE, f"o-{x}", x) for x in (PARTNER, *others)),
            Finding(Rule.LINE, "river", "red", distance_m=0.0))
    return [EdgeCase("own party and partners excluded (R-SITE, R-NOTICE keep partners); "
                     "the notice itself excluded", scen, me, must=must)]


def _circles() -> list[EdgeCase]:
    zones = [zone("z-circle", circle(C, 5000.0))]
    scen = scenario(zones=zones)
    out_at = go(C, 70.0, 5500.0)
    disc = circle(C, 1000.0)
    units = [unit("u-near", "red", fix(go(C, 200.0, 1500.0))),
             unit("u-wide", "red", fix(go(C, 20.0, 1500.0), radius=600.0)),
             unit("u-inside", "red", fix(go(C, 120.0, 700.0), radius=50.0))]
    return [
        EdgeCase("point inside a circle zone", scen,
                 flight("n", point(go(C, 10.0, 3000.0)), buffer=10.0),
                 must=(Finding(Rule.ZONE, "z-circle", "red", distance_m=0.0),)),
        EdgeCase("point outside a circle zone, buffer short", scen,
                 flight("n", point(out_at), buffer=400.0)),
        EdgeCase("point outside a circle zone, buffer reaching", scen,
                 flight("n", point(out_at), buffer=600.0),
                 must=(Finding(Rule.ZONE, "z-circle", "red", distance_m=500.0),)),
        EdgeCase("circle notice against units: edge distances and unit radius",
                 scenario(units=units), flight("n", disc),
                 must=(Finding(Rule.UNIT, "u-wide", "red", Severity.CRITICAL, 500.0),
                       Finding(Rule.UNIT, "u-inside", "red", Severity.CRITICAL, 0.0))),
    ]


def _crossings() -> list[EdgeCase]:
    # A 10 km route west to east through the middle of a 0.02 degree square: no vertex inside.
    sq = square((35.0, 40.0))
    route = line([(35.01, 39.95), (35.011, 40.07)])
    thin_ns = polygon([(34.95, 40.009), (34.95, 40.011), (35.07, 40.011), (35.07, 40.009),
                       (34.95, 40.009)])
    thin_ew = polygon([(35.009, 39.95), (35.009, 40.07), (35.011, 40.07), (35.011, 39.95),
                       (35.009, 39.95)])
    scen = scenario(zones=[zone("z-square", sq)], sites=[site("s-square", sq)])
    cross = scenario(zones=[zone("z-thin", thin_ns)])
    return [
        EdgeCase("route crossing a polygon with no vertex inside", scen,
                 flight("n", route, buffer=10.0),
                 must=(Finding(Rule.ZONE, "z-square", "red", distance_m=0.0),
                       Finding(Rule.SITE, "s-square", "green", distance_m=0.0))),
        EdgeCase("two thin polygons crossing, no vertex of either inside the other", cross,
                 flight("n", thin_ew, buffer=10.0),
                 must=(Finding(Rule.ZONE, "z-thin", "red", distance_m=0.0),)),
    ]


def _long_edges() -> list[EdgeCase]:
    # The geodesic from (36, 39) to (36, 41.2) (about 198 km) bulges about 560 m north of the
    # parallel at its midpoint, where it runs due east. A straight lon/lat edge would not.
    west, east = (36.0, 39.0), (36.0, 41.2)
    mid, _ = along(west, east, 0.5)
    big = polygon([west, east, (35.5, 41.2), (35.5, 39.0), west])
    between = go(mid, 180.0, 260.0)  # north of the parallel, south of the geodesic edge
    north = go(mid, 0.0, 400.0)
    scen = scenario(zones=[zone("z-long", big)])
    river_zone = Zone("long-river", ZoneKind.LINE, line([west, east]), ("red",),
                      sides=((Side.LEFT, "red"), (Side.RIGHT, "green")))
    notice_poly = flight("n-poly", big, buffer=10.0)
    units = [unit("u-bulge", "red", fix(between)), unit("u-north", "red", fix(north))]
    return [
        EdgeCase("point between the parallel and a 198 km geodesic edge is inside", scen,
                 flight("n", point(between), buffer=10.0),
                 must=(Finding(Rule.ZONE, "z-long", "red", distance_m=0.0),)),
        EdgeCase("400 m north of the geodesic edge's crest, 500 m buffer", scen,
                 flight("n", point(north), buffer=500.0),
                 must=(Finding(Rule.ZONE, "z-long", "red", distance_m=400.0),)),
        EdgeCase("400 m north of the geodesic edge's crest, 300 m buffer", scen,
                 flight("n", point(north), buffer=300.0)),
        EdgeCase("side of a 198 km geodesic segment (south of its crest is right)",
                 scenario(zones=[river_zone]), flight("n", point(between), buffer=10.0),
                 must=(Finding(Rule.LINE, "long-river", "green", distance_m=260.0),)),
        EdgeCase("units against a notice polygon with a 198 km edge",
                 scenario(units=units), notice_poly,
                 must=(Finding(Rule.UNIT, "u-bulge", "red", Severity.CRITICAL, 0.0),)),
        EdgeCase("site polygon with a 198 km edge against a point in its bulge",
                 scenario(sites=[site("s-long", big)]), flight("n", point(between), buffer=10.0),
                 must=(Finding(Rule.SITE, "s-long", "green", distance_m=0.0),)),
        EdgeCase("notice polygon with a 198 km edge against a site in its bulge",
                 scenario(sites=[site("s-bulge", point(between))]), notice_poly,
                 must=(Finding(Rule.SITE, "s-bulge", "green", distance_m=0.0),)),
        EdgeCase("another notice with a 198 km edge against a point in its bulge",
                 scenario(notices=[flight("o-long", big, party="red")]),
                 flight("n", point(between), buffer=10.0),
                 must=(Finding(Rule.NOTICE, "o-long", "red", distance_m=0.0),)),
    ]


def _separation() -> list[EdgeCase]:
    def pair(a: str, pa: str, b: str, pb: str, d: float, ra: float = 0.0, rb: float = 0.0,
             azi: float = 45.0, when: datetime = T0 - HOUR) -> list[Unit]:
        slot = int(azi) // 20  # pairs 30 km apart on a grid, far beyond any warn distance
        far = go(go(C, 0.0, 30000.0 * (slot // 4)), 90.0, 30000.0 * (slot % 4))
        return [unit(a, pa, fix(far, radius=ra, when=when)),
                unit(b, pb, fix(go(far, 90.0, d), radius=rb))]

    units = [
        *pair("a1", "grey", "a2", "green", 5000.0, azi=0),        # default 5000 / 1000
        *pair("b1", "grey", "b2", "green", 4998.5, azi=20),
        *pair("c1", "grey", "c2", "green", 5001.5, azi=40),
        *pair("d1", "grey", "d2", "green", 1000.0, azi=60),
        *pair("e1", "grey", "e2", "green", 998.5, azi=80),
        *pair("f1", "grey", "f2", "green", 1001.5, azi=100),
        *pair("g1", "grey", "g2", "green", 1400.0, 300.0, 200.0, azi=120),
        *pair("h1", "grey", "h2", "green", 100.0, 300.0, 200.0, azi=140),
        *pair("i1", "blue", "i2", "teal", 10.0, azi=160),          # partners
        *pair("j1", "red", "j2", "red", 10.0, azi=180),            # same party
        *pair("k1", "red", "k2", "green", 8000.0, azi=200),        # red-green: 10000 / 3000
        *pair("l1", "grey", "l2", "teal", 8000.0, azi=220),        # default: too far
        *pair("zz", "grey", "aa", "green", 500.0, azi=240),        # reported as (aa, zz)
        *pair("m1", "grey", "m2", "green", 10.0, azi=260, when=T0 - 7 * HOUR),  # m1 stale
    ]
    units.append(unit("n1", "red", fix(go(C, 280.0, 60000.0), when=T0 + HOUR)))  # no fix yet
    units.append(unit("n2", "green", fix(go(go(C, 280.0, 60000.0), 0.0, 10.0))))
    crit, warn = Severity.CRITICAL, Severity.WARN
    scen = Scenario(time=T0, parties=PARTIES, relations=RELATIONS, separation=SEPARATION,
                    units=tuple(units))
    return [EdgeCase(
        "separation: thresholds, radii, partners, pair rules, order, stale", scen, None,
        must=(PairFinding("b1", "b2", warn, 4998.5), PairFinding("d1", "d2", None, 1000.0),
              PairFinding("e1", "e2", crit, 998.5), PairFinding("f1", "f2", warn, 1001.5),
              PairFinding("g1", "g2", crit, 900.0), PairFinding("h1", "h2", crit, 0.0),
              PairFinding("k1", "k2", warn, 8000.0), PairFinding("aa", "zz", crit, 500.0)),
        may=(PairFinding("a1", "a2", warn, 5000.0),))]


@lru_cache(maxsize=1)
def edge_cases() -> tuple[EdgeCase, ...]:
    """The catalogue (built on first use, not at import)."""
    builders = (_touching, _on_threshold, _windows, _altitudes, _holes, _line_ends,
                _line_points, _staleness, _partners, _circles, _crossings, _long_edges,
                _separation)
    return tuple(case for build in builders for case in build())

