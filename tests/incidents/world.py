"""A hand-built world around one reported event, placed with geographiclib (an independent
geodesic oracle): every distance the tests rely on is set and checked with it, not with ours.

The event is at P at 08:00. Five parties: ``red`` notifies operations there; ``blue`` releases
its units ``exact`` to red, ``green`` ``area``, ``grey`` nothing (its unit is hidden from red);
``white`` notifies protected sites.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

from deconflict.model import (
    AltitudeBand,
    DisclosureLevel,
    DisclosureRule,
    Fix,
    Level,
    Message,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    Position,
    Scenario,
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
from deconflict.service.clock import FixedClock
from deconflict.service.hub import Hub
from deconflict.service.notices import adopt_loaded_notices
from deconflict.storage import Store, open_store

GEOD = Geodesic.WGS84
P = (40.05, 35.1)  # inside release cell 35.0:40.0, which spans 40.0–40.4 E, 35.0–35.2 N
T = parse_rfc3339("2017-09-18T08:00:00Z")
NOW = parse_rfc3339("2017-09-18T08:30:00Z")
EVENING = parse_rfc3339("2017-09-18T18:00:00Z")
GREY_FAR = (41.5, 36.5)


def hm(hour: int, minute: int = 0) -> datetime:
    return T.replace(hour=hour, minute=minute)


def from_p(distance_m: float, azimuth: float) -> tuple[float, float]:
    """The point ``distance_m`` from P along ``azimuth`` (degrees from north), geodesic."""
    line = GEOD.Direct(P[1], P[0], azimuth, distance_m)
    return line["lon2"], line["lat2"]


def to_p(lon: float, lat: float) -> float:
    """Geodesic distance from P, metres."""
    return float(GEOD.Inverse(P[1], P[0], lat, lon)["s12"])


def _point(lonlat: tuple[float, float], radius_m: float = 0.0) -> Shape:
    return Shape(Point(*lonlat), radius_m)


def _fix(lonlat: tuple[float, float], at: datetime, radius_m: float = 0.0,
         stale: datetime | None = EVENING) -> Fix:
    return Fix(Position(*lonlat), at, radius_m, stale)


def _notice(ident: str, party: str, kind: NoticeKind, lonlat: tuple[float, float],
            buffer_m: float, start: datetime, end: datetime,
            altitude: AltitudeBand | None = None) -> Notice:
    return Notice(ident, party, kind, _point(lonlat), Window(start, end), buffer_m,
                  altitude=altitude, name=f"{ident} <b>&amp;</b>")


def units(grey_near: bool = False) -> tuple[Unit, ...]:
    """``grey_near``: the hidden grey unit stands 400 m from P from 07:00 (else far away)."""
    grey = from_p(400, 30) if grey_near else GREY_FAR
    return (
        Unit("blue-near", "blue", UnitKind.GROUND, (_fix(from_p(300, 90), hm(7), 50),),
             "Blue <script>alert(1)</script> platoon"),
        Unit("blue-moved", "blue", UnitKind.GROUND,
             (_fix(from_p(100, 180), hm(6), 100), _fix(from_p(20_000, 90), hm(7, 30), 100))),
        Unit("blue-stale", "blue", UnitKind.GROUND,
             (_fix(from_p(500, 270), hm(1), 0, stale=hm(7)),)),
        Unit("green-near", "green", UnitKind.GROUND, (_fix(from_p(800, 0), hm(7)),)),
        Unit("green-far", "green", UnitKind.GROUND, (_fix((40.3, 35.15), hm(7)),)),
        Unit("grey-hidden", "grey", UnitKind.GROUND, (_fix(grey, hm(7)),)),
        Unit("red-own", "red", UnitKind.GROUND, (_fix(from_p(1500, 45), hm(7)),)),
    )


def notices() -> tuple[Notice, ...]:
    return (
        # Covers P: 950 m away with a 1000 m buffer. Misses P by 50 m: 1050 m away.
        _notice("red-cover", "red", NoticeKind.AIR_STRIKE, from_p(950, 0), 1000, hm(7, 30),
                hm(8, 30)),
        _notice("red-miss", "red", NoticeKind.AIR_STRIKE, from_p(1050, 90), 1000, hm(7, 30),
                hm(8, 30)),
        _notice("red-late", "red", NoticeKind.AIR_STRIKE, from_p(100, 0), 1000, hm(9),
                hm(10)),
        _notice("red-high", "red", NoticeKind.FLIGHT, from_p(100, 180), 1000, hm(7, 30),
                hm(8, 30), AltitudeBand(5000, 9000)),
        # Green's flight reaches within 3 km of P but meets nothing of red's: red never sees it.
        _notice("green-op", "green", NoticeKind.FLIGHT, from_p(2500, 180), 300, hm(7), hm(9)),
    )


def world(grey_near: bool = False) -> Scenario:
    river = LineString([(39.98, 34.9), (39.98, 35.3)])  # runs north: P, to its east, is right
    return Scenario(
        time=hm(6),
        name="incident test world",
        parties=(*(Party(p, p.title(), PartyKind.STATE) for p in ("red", "blue", "green", "grey")),
                 Party("white", "White", PartyKind.HUMANITARIAN)),
        disclosure=(DisclosureRule("blue", "red", DisclosureLevel.EXACT),
                    DisclosureRule("green", "red", DisclosureLevel.AREA)),
        units=units(grey_near),
        notices=notices(),
        sites=(Site("white-clinic", "white", SiteKind.HOSPITAL, _point(from_p(250, 135)), 300,
                    name="Clinic <i>\"quoted\"</i>"),
               Site("white-camp", "white", SiteKind.CAMP, _point(from_p(100, 0)), 300,
                    Window(hm(10), hm(12)))),
        zones=(Zone("blue-zone", ZoneKind.ZONE, _point(from_p(2000, 90), 5000), ("blue", "red"),
                    owner="blue"),
               Zone("river", ZoneKind.LINE, Shape(river), ("blue", "red"),
                    sides=((Side.LEFT, "red"), (Side.RIGHT, "blue")))),
    )


def messages() -> list[Message]:
    return [Message("msg-red-1", "red", "blue", Level.AIR, "about red-cover: keep clear",
                    hm(7, 35), hm(7, 50), acknowledged=hm(7, 40)),
            Message("msg-green-1", "green", "grey", Level.AIR, "green-op goes ahead",
                    hm(7, 10), hm(12))]  # never overdue here: no escalation races a test


def load(path: Path, grey_near: bool = False) -> None:
    """Store the world at ``path``, with its messages."""
    store = open_store(path)
    try:
        store.replace_scenario(world(grey_near))
        for message in messages():
            store.save_message(message)
    finally:
        store.close()


@contextmanager
def running_hub(path: Path, now: datetime = NOW) -> Iterator[Hub]:
    """A hub on the stored world, its loaded notices filed (screened at 06:00)."""
    store: Store = open_store(path, create=False)
    try:
        clock = FixedClock(hm(6))
        hub = Hub(store, clock)
        adopt_loaded_notices(hub)
        clock.moment = now
        yield hub
    finally:
        store.close()


def later(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
