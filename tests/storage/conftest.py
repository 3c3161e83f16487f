"""Fixtures for the store tests: a database path and a scenario that uses every noun."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from deconflict.model import (
    AltitudeBand,
    Area,
    AreaKind,
    Border,
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
    Sensor,
    SensorKind,
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
)

T0 = datetime(2017, 9, 18, 6, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment ``minutes`` after 06:00 on 18 September 2017 (UTC)."""
    return T0 + timedelta(minutes=minutes)


def _units() -> tuple[Unit, ...]:
    plus3 = timezone(timedelta(hours=3))  # a report stamped in local time is the same instant
    east = Unit("sdf-east-1", "sdf", UnitKind.GROUND, (
        Fix(Position(40.236, 35.352), at(-60), 500.0),
        Fix(Position(40.241, 35.349, 212.5), at(-20).astimezone(plus3), 450.0, at(300)),
        Fix(Position(40.2461234567891, 35.3456789012345), at(-20 + 1 / 60_000_000), 400.0),
    ), "SDF company east of the river")
    jet = Unit("ru-su24", "russia", UnitKind.AIR, (
        Fix(Position(40.1, 35.4, 6000.0), at(-5), 0.0),), "")
    boat = Unit("iq-boat", "isf", UnitKind.SEA, (Fix(Position(41.0, 34.4), at(30), 25.0),),
                "River patrol")
    return east, jet, boat


def _zones() -> tuple[Zone, ...]:
    tanf = Zone("tanf", ZoneKind.ZONE, Shape(Point(38.63, 33.50), 55_000.0),
                ("coalition", "russia"), owner="coalition", name="At Tanf", version=2)
    euphrates = Zone("euphrates", ZoneKind.LINE, Shape(LineString(
        [(39.9, 35.5), (40.14, 35.34), (40.45, 35.02), (40.92, 34.45)])),
        ("russia", "coalition"), sides=((Side.LEFT, "syria"), (Side.RIGHT, "sdf")))
    return tanf, euphrates


def _areas() -> tuple[Area, ...]:
    holed = Polygon([(40.3, 35.0), (40.6, 35.0), (40.6, 35.2), (40.3, 35.2)],
                    [[(40.4, 35.05), (40.5, 35.05), (40.45, 35.15)]])
    multi = MultiPolygon([holed, Polygon([(41.0, 34.0), (41.1, 34.0), (41.1, 34.1)])])
    return (Area("is-held-1", "is", AreaKind.CONTROL, Shape(holed), "Held pocket"),
            Area("is-ops", "is", AreaKind.OPERATING, Shape(multi)))


def _sites() -> tuple[Site, ...]:
    return (
        Site("mayadeen-hospital", "sarc", SiteKind.HOSPITAL, Shape(Point(40.45, 35.02)), 300.0),
        Site("harasta-convoy", "sarc", SiteKind.CONVOY,
             Shape(LineString([(36.29, 33.51), (36.36, 33.56)])), 500.0,
             Window(at(0), at(720)), "Convoy to East Harasta"),
        Site("camp-3d", "sarc", SiteKind.CAMP, Shape(Point(40.0, 35.0, 250.0), 800.0)),
    )


def _notices() -> tuple[Notice, ...]:
    return (
        Notice("ru-strike-1", "russia", NoticeKind.AIR_STRIKE, Shape(Point(40.26, 35.33)),
               Window(at(60), at(120)), 1000.0, 4000.0, AltitudeBand(0.0, 9000.0), "Strike"),
        Notice("co-flight", "coalition", NoticeKind.FLIGHT,
               Shape(LineString([(40.0, 35.0), (40.5, 35.5)])), Window(at(0), at(0))),
        Notice("sy-arty", "syria", NoticeKind.ARTILLERY, Shape(Point(40.3, 35.1), 1500.0),
               Window(at(10), at(40)), 0.0, None, AltitudeBand(-10.0, 3000.5)),
    )


def rich_scenario() -> Scenario:
    """Every noun, with holes, circles, sides, windows, altitude bands and a track."""
    pairs = {frozenset(("syria", "sdf")): SeparationRule(10_000.0, 3000.0),
             frozenset(("russia", "coalition")): SeparationRule(8000.0, 8000.0)}
    return Scenario(
        time=at(0), name="Euphrates, September 2017 — test",
        parties=(Party("coalition", "US-led coalition", PartyKind.STATE),
                 Party("sdf", "Syrian Democratic Forces", PartyKind.NON_STATE, "coalition"),
                 Party("russia", "Russian forces", PartyKind.STATE),
                 Party("sarc", "Syrian Arab Red Crescent", PartyKind.HUMANITARIAN)),
        relations=(Relation("coalition", "sdf", RelationKind.PARTNER),
                   Relation("russia", "sdf", RelationKind.HOSTILE)),
        separation=SeparationPolicy(SeparationRule(6000.0, 1500.0), pairs),
        disclosure=(DisclosureRule("sdf", "coalition", DisclosureLevel.EXACT),
                    DisclosureRule("sdf", "russia", DisclosureLevel.AREA),
                    DisclosureRule("russia", "sdf", DisclosureLevel.NONE)),
        units=_units(), areas=_areas(), zones=_zones(), sites=_sites(), notices=_notices(),
        sensors=(Sensor("iq-tower-7", "isf", SensorKind.THERMAL, Position(41.02, 34.38), 8000.0,
                        270.0, 120.0, "Tower 7"),
                 Sensor("balloon-1", "isf", SensorKind.BALLOON, Position(41.1, 34.6, 300.0),
                        20_000.0)),
        borders=(Border("iq-sy", Shape(LineString([(41.0, 34.3), (41.2, 34.8)])),
                        "Iraq–Syria border"),),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hub.db"


@pytest.fixture
def rich() -> Scenario:
    return rich_scenario()
