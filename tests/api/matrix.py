"""A five-party world for the disclosure matrix test, and the truth of what each party may see.

The truth here is computed from the scenario and the release table with an independent geodesic
oracle (pyproj's ``Geod``); it never calls the engine's release code (``engine.disclosure``).

Coordinates are chosen so that a leak can be found in raw response text: every unit position
has exactly four decimals, a last digit from 1 to 8 (so float artefacts such as ``38.6000000001``
or ``38.5999999`` never look like one), and no longitude or latitude is used twice. Notices use
three decimals and fixed objects two, so a ``DD.dddd`` string in a body can only be a unit's.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from deconflict.model import (
    Area,
    AreaKind,
    DisclosureLevel,
    DisclosureRule,
    Fix,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Position,
    Relation,
    RelationKind,
    Scenario,
    SeparationPolicy,
    SeparationRule,
    Shape,
    Side,
    Site,
    SiteKind,
    Unit,
    UnitKind,
    Window,
    Zone,
    ZoneKind,
    parse_rfc3339,
)

__all__ = [
    "PARTIES",
    "START",
    "Finding",
    "Plan",
    "Tracked",
    "World",
    "band",
    "build_world",
    "leaks",
]

GEOD = Geod(ellps="WGS84")
START = parse_rfc3339("2017-09-18T06:00:00Z")
WINDOW = ("2017-09-18T07:00:00Z", "2017-09-18T08:00:00Z")
PARTIES = ("coalition", "sdf", "russia", "syria", "sarc")
UNITS_PER_PARTY = 200
STALE_PER_PARTY = 2  # the last units of each party went stale before the hub's "now"
EXACT, AREA, NONE = "exact", "area", "none"

#: What ``source`` releases to ``recipient`` as the scenario file states it (absent: none).
RELEASES: dict[tuple[str, str], str] = {
    ("coalition", "sdf"): EXACT, ("coalition", "russia"): NONE, ("coalition", "syria"): NONE,
    ("coalition", "sarc"): AREA,
    ("sdf", "coalition"): EXACT, ("sdf", "russia"): AREA, ("sdf", "sarc"): EXACT,
    ("russia", "syria"): EXACT, ("russia", "coalition"): AREA, ("russia", "sarc"): AREA,
    ("syria", "russia"): EXACT, ("syria", "coalition"): NONE, ("syria", "sdf"): AREA,
    ("sarc", "coalition"): EXACT, ("sarc", "russia"): EXACT, ("sarc", "sdf"): AREA,
    ("sarc", "syria"): AREA,
}  # fmt: skip
PARTNERS = (frozenset(("coalition", "sdf")), frozenset(("russia", "syria")))
HOSTILE = (frozenset(("sdf", "syria")),)
SEPARATION = {frozenset(("sdf", "syria")): (10_000.0, 3_000.0)}
DEFAULT_SEPARATION = (5_000.0, 1_000.0)
_CENTRES = {"coalition": (41.0, 36.2), "sdf": (40.4, 35.8), "russia": (39.1, 34.5),
            "syria": (39.8, 34.9), "sarc": (40.2, 35.3)}
_BAND_EDGES = ((1000.0, "<1 km"), (5000.0, "1–5 km"), (10000.0, "5–10 km"),
               (25000.0, "10–25 km"))
#: A result this close to a threshold may go either way (DESIGN.md allows 1 m); plans avoid it.
AMBIGUOUS_M = 3.0


def band(metres: float) -> str:
    for edge, label in _BAND_EDGES:
        if metres < edge:
            return label
    return "≥25 km"


def near_edge(metres: float, *thresholds: float) -> bool:
    edges = (*thresholds, *(e for e, _ in _BAND_EDGES))
    return any(abs(metres - t) < AMBIGUOUS_M for t in edges)


# -- the world -------------------------------------------------------------------------------

@dataclass
class Tracked:
    """The truth about one unit: where it is now and everywhere it has been reported."""

    id: str
    party: str
    kind: str
    lon: float
    lat: float
    alt: float | None
    radius: float
    live: bool
    history: list[tuple[float, float]] = field(default_factory=list)

    def strings(self) -> set[str]:
        """Its coordinates as they would be printed (four decimals), past and present."""
        return {f"{v:.4f}" for lon, lat in self.history for v in (lon, lat)}


@dataclass(frozen=True)
class Finding:
    """A screening conflict as the hub should find it (the whole truth)."""

    rule: str
    target: str
    party: str
    distance_m: float
    severity: str | None = None


@dataclass
class Plan:
    """A notice the test files, and (once filed) what the hub should have found."""

    party: str
    kind: str
    lon: float
    lat: float
    buffer_m: float
    standoff_m: float
    chosen_id: str | None = None
    #: Whether the plan may overlap another notice (R-NOTICE); the matrix keeps them apart.
    overlaps: bool = False
    id: str = ""
    findings: list[Finding] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "buffer_m": self.buffer_m,
                               "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
                               "window": list(WINDOW)}
        if self.chosen_id:
            out["id"] = self.chosen_id
        return out

    @property
    def touched(self) -> set[str]:
        return {f.party for f in self.findings} - {self.party}


class Pool:
    """Unique four-decimal longitudes and latitudes whose last digit is 1..8."""

    def __init__(self) -> None:
        self._used: tuple[set[int], set[int]] = (set(), set())

    def take(self, lon: float, lat: float) -> tuple[float, float]:
        return self._one(self._used[0], lon), self._one(self._used[1], lat)

    @staticmethod
    def _one(used: set[int], value: float) -> float:
        k = round(value * 10_000)
        while k % 10 in (0, 9) or k in used:
            k += 1
        used.add(k)
        return k / 10_000


@dataclass
class World:
    scenario: Scenario
    units: dict[str, Tracked]
    releases: dict[tuple[str, str], str]
    pool: Pool
    filed: list[Plan] = field(default_factory=list)
    #: Exact separation distances told, by (viewer, own unit, other unit).
    told_m: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: Expected alerts per party, as digests (see :func:`alert_digest`).
    alerts: dict[str, Counter[str]] = field(
        default_factory=lambda: {p: Counter() for p in PARTIES})

    # -- rules of the game (from the table, not from the engine) ---------------------------
    def level(self, source: str, recipient: str) -> str:
        return EXACT if source == recipient else self.releases.get((source, recipient), NONE)

    @staticmethod
    def friendly(a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in PARTNERS

    @staticmethod
    def relation(viewer: str, other: str) -> str:
        if viewer == other:
            return "self"
        pair = frozenset((viewer, other))
        return "partner" if pair in PARTNERS else "hostile" if pair in HOSTILE else "neutral"

    @staticmethod
    def separation(a: str, b: str) -> tuple[float, float]:
        return SEPARATION.get(frozenset((a, b)), DEFAULT_SEPARATION)

    def live(self) -> list[Tracked]:
        return [u for u in self.units.values() if u.live]

    def hidden_from(self, viewer: str) -> tuple[set[str], set[str]]:
        """Ids and coordinate strings of every unit not released ``exact`` to ``viewer``."""
        ids: set[str] = set()
        coords: set[str] = set()
        for u in self.units.values():
            if self.level(u.party, viewer) != EXACT:
                ids.add(u.id)
                coords |= u.strings()
        return ids, coords

    def move(self, unit_id: str, lon: float, lat: float, radius: float) -> None:
        u = self.units[unit_id]
        u.lon, u.lat, u.alt, u.radius = lon, lat, None, radius
        u.history.append((lon, lat))

    # -- notices ---------------------------------------------------------------------------
    def visible_notices(self, viewer: str) -> set[str]:
        """Filed notices the viewer may see: its own and those that touch it (docs/api.md)."""
        return {p.id for p in self.filed if p.party == viewer or viewer in p.touched}

    def told(self, plan: Plan, viewer: str) -> list[dict[str, Any]]:
        """The conflicts of ``plan`` as ``viewer`` may see them (distance_m included)."""
        own, visible = viewer == plan.party, self.visible_notices(viewer)
        out = []
        for f in plan.findings:
            if not own and f.party != viewer:
                continue
            told: dict[str, Any] = {"rule": f.rule, "party": f.party,
                                    "distance_band": band(f.distance_m)}
            if f.severity is not None:
                told["severity"] = f.severity
            if self._target_shown(f, viewer, visible):
                told.update(target=f.target, distance_m=f.distance_m)
            out.append(told)
        # Unnamed findings are told once each: how many hidden objects stand behind one is
        # not the notifier's to know.
        named = [t for t in out if "target" in t]
        unnamed = {canonical(t): t for t in out if "target" not in t}
        return named + list(unnamed.values())

    def _target_shown(self, f: Finding, viewer: str, visible: set[str]) -> bool:
        if f.rule == "R-UNIT":
            return self.level(f.party, viewer) == EXACT
        if f.rule == "R-NOTICE":
            return f.target in visible
        return True  # sites, zones and lines are notified to every party

    def view(self, plan: Plan, viewer: str) -> dict[str, Any]:
        """The parts of a notice feature's properties the truth fixes."""
        own = viewer == plan.party
        return {"party": plan.party, "verdict": "conflict" if plan.findings else "clear",
                "state": "screened" if plan.touched else "cleared",
                "awaiting": sorted(plan.touched) if own else [], "answers": [],
                "conflicts": self.told(plan, viewer)}


def build_world(seed: int = 2017) -> World:
    rng = random.Random(seed)
    pool = Pool()
    units: dict[str, Tracked] = {}
    for party in PARTIES:
        for i in range(UNITS_PER_PARTY):
            u = _unit(rng, pool, party, i)
            units[u.id] = u
    scenario = _scenario(units)
    world = World(scenario, units, dict(RELEASES), pool)
    for ident, (party, x, y, b) in SCENARIO_NOTICES.items():
        # Notices loaded with the scenario are filed by the hub when it starts (no alert).
        plan = Plan(party, "air_strike", x, y, b, STANDOFF["air_strike"], id=ident)
        plan.findings = screen(world, plan)
        world.filed.append(plan)
    return world


def _unit(rng: random.Random, pool: Pool, party: str, i: int) -> Tracked:
    cx, cy = _CENTRES[party]
    lon = min(41.98, max(38.02, rng.gauss(cx, 0.7)))
    lat = min(36.98, max(33.02, rng.gauss(cy, 0.6)))
    lon, lat = pool.take(lon, lat)
    air = i % 50 == 7
    radius = (250.0, 0.0, 600.0, 0.0)[i % 4]
    live = i < UNITS_PER_PARTY - STALE_PER_PARTY
    return Tracked(f"{party}-u{i:03d}", party, "air" if air else "ground", lon, lat,
                   2500.0 if air else None, radius, live, [(lon, lat)])


# -- the scenario file -----------------------------------------------------------------------

TANF = ("tanf", 38.70, 33.50, 20_000.0)  # a circle zone owned by the coalition
EAST_ZONE = [(41.50, 36.50), (41.90, 36.50), (41.90, 36.90), (41.50, 36.90), (41.50, 36.50)]
LINE = [(38.05, 36.90), (38.25, 36.90)]  # sides: north (left) syria, south (right) sdf
SITES = {"sarc-hospital-1": (39.52, 35.48, 300.0), "sarc-camp-1": (40.83, 34.27, 500.0)}
CONVOY = [(38.20, 33.20), (38.35, 33.30)]
SCENARIO_NOTICES = {"russia-plan-1": ("russia", 41.70, 33.70, 1500.0),
                    "coalition-plan-1": ("coalition", 38.90, 36.40, 3000.0)}
AREAS = {
    "coalition-area-1": ("coalition", [(40.6, 35.9), (41.4, 35.9), (41.4, 36.6), (40.6, 36.6)]),
    "sdf-area-1": ("sdf", [(40.0, 35.4), (40.8, 35.4), (40.8, 36.1), (40.0, 36.1)]),
    "russia-area-1": ("russia", [(38.6, 34.1), (39.5, 34.1), (39.5, 34.9), (38.6, 34.9)]),
    "syria-area-1": ("syria", [(39.4, 34.6), (40.2, 34.6), (40.2, 35.2), (39.4, 35.2)]),
    "sarc-area-1": ("sarc", [(40.0, 35.1), (40.4, 35.1), (40.4, 35.5), (40.0, 35.5)]),
}
CIRCLE_AREAS = {"russia-area-2": ("russia", 38.80, 35.10, 8000.0),
                "sdf-area-2": ("sdf", 40.90, 35.00, 6000.0)}


def _scenario(units: dict[str, Tracked]) -> Scenario:
    return Scenario(
        time=START, name="disclosure matrix",
        parties=_parties(), relations=_relations(),
        separation=SeparationPolicy(SeparationRule(*DEFAULT_SEPARATION),
                                    {k: SeparationRule(*v) for k, v in SEPARATION.items()}),
        disclosure=tuple(DisclosureRule(s, r, DisclosureLevel(v))
                         for (s, r), v in RELEASES.items()),
        units=tuple(_model_unit(u) for u in units.values()),
        areas=_areas(), zones=_zones(), sites=_sites(), notices=_scenario_notices(),
    )


def _parties() -> tuple[Party, ...]:
    kinds = {"sdf": PartyKind.NON_STATE, "sarc": PartyKind.HUMANITARIAN}
    return tuple(Party(p, p.upper(), kinds.get(p, PartyKind.STATE),
                       "coalition" if p == "sdf" else None) for p in PARTIES)


def _relations() -> tuple[Relation, ...]:
    pairs = [(sorted(p), RelationKind.PARTNER) for p in PARTNERS]
    pairs += [(sorted(p), RelationKind.HOSTILE) for p in HOSTILE]
    return tuple(Relation(a, b, kind) for (a, b), kind in pairs)


def _model_unit(u: Tracked) -> Unit:
    if u.live:
        fix = Fix(Position(u.lon, u.lat, u.alt), START - timedelta(minutes=20), u.radius)
    else:  # observed ten hours ago: stale after six
        fix = Fix(Position(u.lon, u.lat, u.alt), START - timedelta(hours=10), u.radius)
    return Unit(u.id, u.party, UnitKind(u.kind), (fix,))


def _areas() -> tuple[Area, ...]:
    out = [Area(i, party, AreaKind.CONTROL, Shape(Polygon(ring)))
           for i, (party, ring) in AREAS.items()]
    out += [Area(i, party, AreaKind.OPERATING, Shape(Point(x, y), r))
            for i, (party, x, y, r) in CIRCLE_AREAS.items()]
    return tuple(out)


def _zones() -> tuple[Zone, ...]:
    ident, x, y, r = TANF
    signers = ("coalition", "russia")
    return (
        Zone(ident, ZoneKind.ZONE, Shape(Point(x, y), r), signers, owner="coalition"),
        Zone("russia-east", ZoneKind.ZONE, Shape(Polygon(EAST_ZONE)), signers, owner="russia"),
        Zone("line-w", ZoneKind.LINE, Shape(LineString(LINE)), signers,
             sides=((Side.LEFT, "syria"), (Side.RIGHT, "sdf"))),
    )


def _sites() -> tuple[Site, ...]:
    day = Window(START, START + timedelta(hours=12))
    out = [Site(i, "sarc", SiteKind.HOSPITAL if "hospital" in i else SiteKind.CAMP,
                Shape(Point(x, y)), b) for i, (x, y, b) in SITES.items()]
    out.append(Site("sarc-convoy-1", "sarc", SiteKind.CONVOY, Shape(LineString(CONVOY)), 500.0,
                    day))
    return tuple(out)


def _scenario_notices() -> tuple[Notice, ...]:
    window = Window(parse_rfc3339(WINDOW[0]), parse_rfc3339(WINDOW[1]))
    return tuple(Notice(i, party, NoticeKind.AIR_STRIKE, Shape(Point(x, y)), window, b)
                 for i, (party, x, y, b) in SCENARIO_NOTICES.items())


# -- screening truth -------------------------------------------------------------------------

STANDOFF = {"air_strike": 5000.0, "artillery": 3000.0, "ground_move": 1000.0, "flight": 0.0,
            "convoy": 0.0}  # the format's defaults by kind (docs/scenario-format.md)


def distances(lon: float, lat: float, units: list[Tracked]) -> np.ndarray:
    n = len(units)
    lons = np.array([u.lon for u in units])
    lats = np.array([u.lat for u in units])
    return np.asarray(GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)[2])


def point_to_line(lon: float, lat: float, line: list[tuple[float, float]]) -> float:
    """Geodesic distance to a polyline, through points every ~20 m along its geodesics."""
    best = math.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(line):
        length = GEOD.inv(x1, y1, x2, y2)[2]
        pts = [(x1, y1), *GEOD.npts(x1, y1, x2, y2, max(1, int(length / 20))), (x2, y2)]
        xs, ys = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
        d = GEOD.inv(np.full(len(xs), lon), np.full(len(xs), lat), xs, ys)[2]
        best = min(best, float(np.min(d)))
    return best


class Ambiguous(Exception):
    """A planned notice lands within a few metres of a threshold: the test picks another spot."""


def screen(world: World, plan: Plan) -> list[Finding]:
    """Every conflict of ``plan`` against the world and the notices filed before it."""
    found = [*_unit_findings(world, plan), *_site_findings(plan), *_zone_findings(world, plan),
             *_line_findings(world, plan), *_notice_findings(world, plan)]
    return found


def _unit_findings(world: World, plan: Plan) -> Iterator[Finding]:
    units = [u for u in world.live() if not world.friendly(u.party, plan.party)]
    d = distances(plan.lon, plan.lat, units)
    b, s = plan.buffer_m, plan.standoff_m
    for u, dist in zip(units, d.tolist(), strict=True):
        if near_edge(dist, b + s + u.radius, b + u.radius):
            raise Ambiguous(u.id)
        if dist <= b + s + u.radius:
            yield Finding("R-UNIT", u.id, u.party, dist,
                          "critical" if dist <= b + u.radius else "warn")


def _site_findings(plan: Plan) -> Iterator[Finding]:
    reach = plan.buffer_m + plan.standoff_m
    for ident, (x, y, buffer_m) in SITES.items():
        d = float(GEOD.inv(plan.lon, plan.lat, x, y)[2])
        if near_edge(d, reach + buffer_m):
            raise Ambiguous(ident)
        if d <= reach + buffer_m:
            yield Finding("R-SITE", ident, "sarc", d)
    if LineString(CONVOY).distance(Point(plan.lon, plan.lat)) < 0.3:
        raise Ambiguous("sarc-convoy-1")  # kept far away from every notice


def _zone_findings(world: World, plan: Plan) -> Iterator[Finding]:
    ident, x, y, r = TANF
    d = max(0.0, float(GEOD.inv(plan.lon, plan.lat, x, y)[2]) - r)
    if near_edge(d, plan.buffer_m) and d > 0:
        raise Ambiguous(ident)
    if d <= plan.buffer_m and not world.friendly("coalition", plan.party):
        yield Finding("R-ZONE", ident, "coalition", d)
    east, here = Polygon(EAST_ZONE), Point(plan.lon, plan.lat)
    if not east.contains(here) and east.distance(here) < 0.15:
        raise Ambiguous("russia-east")
    if east.contains(here) and not world.friendly("russia", plan.party):
        yield Finding("R-ZONE", "russia-east", "russia", 0.0)


def _line_findings(world: World, plan: Plan) -> Iterator[Finding]:
    """Only a notice north of the line's middle, clear of it, reaches a side (the left)."""
    (x1, _), (x2, y) = LINE
    if plan.lon > x2 + 0.15:
        return  # its nearest point is the line's east end: on neither side
    if not (x1 + 0.03 < plan.lon < x2 - 0.03 and plan.lat > y):
        raise Ambiguous("line-w")
    gap = point_to_line(plan.lon, plan.lat, LINE)
    if gap <= plan.buffer_m + 200:
        raise Ambiguous("line-w")
    if not world.friendly("syria", plan.party):
        yield Finding("R-LINE", "line-w", "syria", gap)


def _notice_findings(world: World, plan: Plan) -> Iterator[Finding]:
    earlier = [(p.id, p.party, p.lon, p.lat, p.buffer_m) for p in world.filed]
    earlier += [(i, party, x, y, b) for i, (party, x, y, b) in SCENARIO_NOTICES.items()]
    for ident, party, x, y, b in earlier:
        if party == plan.party:
            continue
        d = float(GEOD.inv(plan.lon, plan.lat, x, y)[2])
        if near_edge(d, plan.buffer_m + b) or (not plan.overlaps and
                                                d <= plan.buffer_m + b + 2000):
            raise Ambiguous(ident)
        if d <= plan.buffer_m + b:
            yield Finding("R-NOTICE", ident, party, d)


def place(world: World, plan: Plan, around: Iterable[tuple[float, float]],
          offsets: Iterable[tuple[float, float]]) -> Plan:
    """Put ``plan`` at the first spot near ``around`` whose truth is unambiguous."""
    for lon, lat in around:
        for bearing, metres in offsets:
            x, y, _ = GEOD.fwd(lon, lat, bearing, metres)
            plan.lon, plan.lat = round(float(x), 3), round(float(y), 3)
            try:
                plan.findings = screen(world, plan)
            except Ambiguous:
                continue
            return plan
    raise AssertionError(f"no unambiguous spot for a notice of {plan.party}")


# -- reading responses -----------------------------------------------------------------------

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_COORD = re.compile(r"(?=(\d\d\.\d{4}))")
_UNIT_ID = re.compile(r"(?=([a-z]+-u\d{3}))")


def leaks(text: str, ids: set[str], coords: set[str]) -> list[str]:
    """Hidden ids and coordinate strings that occur anywhere in ``text``.

    Timestamps are taken out first: their seconds and fraction (``35.1234``) could look like a
    latitude. Every other number the hub prints has fewer decimals or is a unit coordinate.
    """
    text = _TIME.sub("T", text)
    found = {m.group(1) for m in _UNIT_ID.finditer(text)} & ids
    found |= {m.group(1) for m in _COORD.finditer(text)} & coords
    return sorted(found)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def without_distance(conflicts: list[dict[str, Any]]) -> tuple[list[str], dict[str, float]]:
    """Conflicts as sortable strings, and the exact distances told, by target."""
    told = {c["target"]: c["distance_m"] for c in conflicts if "distance_m" in c}
    rest = sorted(canonical({k: v for k, v in c.items() if k != "distance_m"})
                  for c in conflicts)
    return rest, told
