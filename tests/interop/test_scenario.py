"""The scenario file codec: loading, every validation rule (with the path it names), writing."""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconflict.errors import ScenarioError
from deconflict.interop import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_from_document,
    scenario_to_document,
    write_scenario,
)
from deconflict.interop.scenario_yaml import load_text
from deconflict.model import (
    AltitudeBand,
    AreaKind,
    DisclosureLevel,
    Fix,
    NoticeKind,
    PartyKind,
    Position,
    RelationKind,
    Scenario,
    SensorKind,
    SeparationRule,
    Side,
    SiteKind,
    Unit,
    UnitKind,
    Window,
    ZoneKind,
)

DATA = Path(__file__).resolve().parent.parent / "data"
MINIMAL = DATA / "minimal.yaml"
SPEC = DATA / "spec-example.yaml"
RICH = DATA / "rich.json"

T0 = datetime(2017, 9, 18, 6, tzinfo=UTC)


class _Delete:
    """Marks a key to remove; named so that test ids are the same in every xdist worker."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2017, 9, 18, hour, minute, tzinfo=UTC)


def spec_document() -> dict[str, Any]:
    doc = load_text(SPEC.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _tokens(path: str) -> list[str | int]:
    tokens = re.findall(r"\[\d+\]|[^.\[\]]+", path)
    return [int(t[1:-1]) if t.startswith("[") else t for t in tokens]


def edited(doc: dict[str, Any], *edits: tuple[str, object]) -> dict[str, Any]:
    """A copy of ``doc`` with each ``(path, value)`` set (appended at a list's end; DELETE)."""
    out = copy.deepcopy(doc)
    for path, value in edits:
        *parents, last = _tokens(path)
        node: Any = out
        for token in parents:
            node = node[token]
        if value is DELETE:
            del node[last]
        elif isinstance(node, list) and last == len(node):
            node.append(value)
        else:
            node[last] = value
    return out


def refused(doc: object) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_document(doc, "spec-example.yaml")
    return caught.value


# -- loading ---------------------------------------------------------------------------------


def test_minimal_file_has_only_the_two_required_keys() -> None:
    scenario = load_scenario(MINIMAL)
    assert scenario == Scenario(time=T0)
    assert scenario.time.tzinfo is UTC
    assert scenario.separation.default == SeparationRule(5000.0, 1000.0)


def test_spec_example_loads_with_every_section() -> None:
    s = load_scenario(str(SPEC))
    assert s.name == "Euphrates, September 2017"
    assert s.time == T0
    assert [p.id for p in s.parties] == ["coalition", "sdf", "russia", "syria", "sarc", "is", "isf"]
    assert s.parties[1].sponsor == "coalition"
    assert s.parties[1].kind is PartyKind.NON_STATE
    assert s.relation_index.kind("sdf", "coalition") is RelationKind.PARTNER
    assert s.separation.rule("sdf", "syria") == SeparationRule(10000.0, 3000.0)
    assert s.separation.rule("russia", "sdf") == SeparationRule(5000.0, 1000.0)
    assert s.disclosure_level("sdf", "russia") is DisclosureLevel.AREA
    assert s.disclosure_level("sdf", "syria") is DisclosureLevel.NONE


def test_spec_example_objects() -> None:
    s = load_scenario(SPEC)
    (unit,) = s.units
    assert unit.kind is UnitKind.GROUND and unit.name == "SDF company east of the river"
    assert unit.track == (Fix(Position(40.236, 35.352), utc(5, 40), 500.0, utc(12)),)
    area, (tanf, euphrates) = s.areas[0], s.zones
    assert area.holder == "is" and area.kind is AreaKind.CONTROL
    assert area.shape.kind == "Polygon"
    assert (tanf.kind, tanf.owner, tanf.shape.radius_m) == (ZoneKind.ZONE, "coalition", 55000.0)
    assert tanf.signatories == ("coalition", "russia")
    assert euphrates.sides == ((Side.LEFT, "syria"), (Side.RIGHT, "sdf"))
    assert euphrates.owner is None
    hospital, convoy = s.sites
    assert hospital.window is None and hospital.buffer_m == 300.0
    assert convoy.kind is SiteKind.CONVOY and convoy.window == Window(utc(6), utc(18))
    (notice,) = s.notices
    assert (notice.kind, notice.buffer_m, notice.standoff_m) == (NoticeKind.AIR_STRIKE, 1000, 4000)
    assert notice.altitude == AltitudeBand(0.0, 9000.0)
    assert notice.window == Window(utc(7), utc(8))
    (sensor,) = s.sensors
    assert (sensor.kind, sensor.range_m, sensor.bearing_deg, sensor.fov_deg) == (
        SensorKind.THERMAL, 8000.0, 270.0, 120.0)
    assert s.borders[0].name == "Iraq–Syria border"


def test_rich_json_fixture_loads() -> None:
    s = load_scenario(RICH)
    assert s.time == T0 + timedelta(microseconds=250000)
    helo = next(u for u in s.units if u.id == "ru-helo-2")
    assert helo.track[0].position == Position(40.1, 35.4, 1200.5)
    assert helo.track[0].time == utc(5, 59) + timedelta(seconds=59, microseconds=999999)
    boat = next(u for u in s.units if u.id == "river-boat")
    assert boat.track[0].time == datetime(2017, 9, 17, 23, tzinfo=UTC)
    assert boat.track[0].stale is None
    assert {z.id: z.sides for z in s.zones}["half-line"] == ((Side.RIGHT, "syria"),)
    assert s.separation.default == SeparationRule(6000.0, 1500.5)
    arty = s.notice("sy-arty-1")
    assert arty.standoff_m == 0.0 and arty.effective_standoff_m == 0.0
    assert s.notice("co-flight-1").altitude == AltitudeBand(-50.5, 4500.0)
    assert {g.shape.kind for g in (*s.areas, *s.sites, *s.notices)} == {
        "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def test_unquoted_timestamps_are_read_as_written() -> None:
    s = parse_scenario("scenario: 1\ntime: 2017-09-18t06:00:00.5z\n")
    assert s.time == T0 + timedelta(milliseconds=500)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("scenario: 1\ntime: 2017-09-18 06:00:00\n", "t.yaml")
    assert caught.value.field == "time"


def test_yaml_1_1_surprises_are_avoided() -> None:
    text = (
        "scenario: 1\ntime: 2017-09-18T06:00:00Z\n"
        "parties: [{id: no, name: Norway, kind: state}, {id: on, name: x, kind: state}]\n"
        "separation: {default: {warn_m: 1e3, critical_m: 0x10}}\n"
    )
    s = parse_scenario(text)
    assert [p.id for p in s.parties] == ["no", "on"]
    assert s.separation.default == SeparationRule(1000.0, 16.0)


def test_json_is_read_even_when_indented_with_tabs() -> None:
    compact = '{"scenario":1,"time":"2017-09-18T06:00:00Z","name":"a\\/b"}'
    assert parse_scenario(compact).name == "a/b"
    tabbed = '{\n\t"scenario": 1,\n\t"time": "2017-09-18T06:00:00Z"\n}\n'
    assert parse_scenario(tabbed) == Scenario(time=T0)


def test_party_ids_and_target_ids_are_separate_namespaces() -> None:
    doc = edited(spec_document(), ("units[0].id", "sdf"))
    assert scenario_from_document(doc).units[0].id == "sdf"


def test_zone_sides_come_out_in_canonical_order() -> None:
    doc = edited(spec_document(), ("zones[1].sides", {"right": "sdf", "left": "syria"}))
    assert scenario_from_document(doc).zones[1].sides == ((Side.LEFT, "syria"),
                                                          (Side.RIGHT, "sdf"))


# -- refusals: each names the path -----------------------------------------------------------

ENUMS = [
    ("parties[0].kind", "state, non_state, humanitarian, observer"),
    ("relations[0].kind", "partner, neutral, hostile"),
    ("disclosure[0].level", "exact, area, none"),
    ("units[0].kind", "ground, air, sea"),
    ("areas[0].kind", "control, operating"),
    ("zones[0].kind", "zone, line"),
    ("sites[0].kind", "hospital, school, camp, warehouse, office, crossing, convoy"),
    ("notices[0].kind", "air_strike, artillery, ground_move, flight, convoy"),
    ("sensors[0].kind", "thermal, cctv, balloon, tower, radar, patrol"),
]


@pytest.mark.parametrize(("path", "allowed"), ENUMS)
def test_unknown_enum_value_lists_the_allowed_values(path: str, allowed: str) -> None:
    error = refused(edited(spec_document(), (path, "tank")))
    assert error.field == path
    assert "'tank'" in error.message and allowed in error.message


TOP_LEVEL = [
    (("scenario", DELETE), "scenario", "is required"),
    (("time", DELETE), "time", "is required"),
    (("scenario", 2), "scenario", "version"),
    (("scenario", True), "scenario", "boolean"),
    (("scenario", "1"), "scenario", "version"),
    (("scenario", 1.5), "scenario", "version"),
    (("unit", []), "unit", "did you mean 'units'"),
    (("name", 5), "name", "expected a string"),
    (("units", {}), "units", "expected a list"),
    (("separation", []), "separation", "expected a mapping"),
    (("units[0]", "sdf-east-1"), "units[0]", "expected a mapping"),
    (("units[0].positon", [40, 35]), "units[0].positon", "did you mean 'position'"),
    (("separation.pairs[0].warn", 1), "separation.pairs[0].warn", "unknown key"),
    (("zones[1].geometry.bbox", [0, 0, 1, 1]), "zones[1].geometry.bbox", "unknown key"),
    (("borders[0].radius_m", 10), "borders[0].radius_m", "unknown key"),
]

TIMES = [
    (("time", "2017-09-18T06:00:00"), "time", "UTC"),
    (("time", "2017-09-18T08:00:00+02:00"), "time", "UTC"),
    (("time", "2017-09-18T06:00:00-00:00"), "time", "UTC"),
    (("time", "2017-09-18"), "time", "RFC 3339"),
    (("time", "2017-02-30T06:00:00Z"), "time", "not a valid time"),
    (("time", 1505714400), "time", "expected an RFC 3339 time string"),
    (("time", "٢٠١٧-09-18T06:00:00Z"), "time", "RFC 3339"),
    (("scenario", 10**400), "scenario", "a very large number"),
    (("units[0].time", "2017-09-18 05:40:00Z"), "units[0].time", "RFC 3339"),
    (("units[0].stale", "2017-09-18T05:39:59Z"), "units[0].stale", "before the observation"),
    (("sites[1].window", ["2017-09-18T18:00:00Z", "2017-09-18T06:00:00Z"]), "sites[1].window",
     "ends before it starts"),
    (("sites[1].window", ["2017-09-18T06:00:00Z"]), "sites[1].window", "two values"),
    (("sites[1].window[1]", "tomorrow"), "sites[1].window[1]", "RFC 3339"),
    (("notices[0].window", "2017-09-18T07:00:00Z"), "notices[0].window", "expected a list"),
    (("notices[0].window", DELETE), "notices[0].window", "is required"),
]

NUMBERS = [
    (("units[0].radius_m", "500"), "units[0].radius_m", "expected a number, got the string"),
    (("units[0].radius_m", True), "units[0].radius_m", "boolean"),
    (("units[0].radius_m", None), "units[0].radius_m", "null"),
    (("units[0].radius_m", math.nan), "units[0].radius_m", "finite"),
    (("units[0].radius_m", math.inf), "units[0].radius_m", "finite"),
    (("units[0].radius_m", 10**400), "units[0].radius_m", "too large"),
    (("units[0].radius_m", -1), "units[0].radius_m", "negative"),
    (("zones[0].radius_m", -0.5), "zones[0].radius_m", "negative"),
    (("sites[0].buffer_m", -1), "sites[0].buffer_m", "negative"),
    (("notices[0].buffer_m", -1), "notices[0].buffer_m", "negative"),
    (("notices[0].standoff_m", -1), "notices[0].standoff_m", "negative"),
    (("sensors[0].range_m", -1), "sensors[0].range_m", "negative"),
    (("separation.default.warn_m", -1), "separation.default.warn_m", "negative"),
    (("separation.pairs[0].critical_m", -3), "separation.pairs[0].critical_m", "negative"),
    (("separation.pairs[0].critical_m", 20000), "separation.pairs[0].critical_m",
     "exceeds warn_m"),
    (("separation.default.critical_m", 5001), "separation.default.critical_m", "exceeds warn_m"),
    (("separation.default", {"warn_m": 5000}), "separation.default.critical_m", "is required"),
    (("notices[0].altitude_m", [9000, 0]), "notices[0].altitude_m", "below its bottom"),
    (("notices[0].altitude_m", [0]), "notices[0].altitude_m", "two values"),
    (("notices[0].altitude_m", [0, "high"]), "notices[0].altitude_m[1]", "expected a number"),
    (("sensors[0].fov_deg", 0), "sensors[0].fov_deg", "(0, 360]"),
    (("sensors[0].fov_deg", 360.5), "sensors[0].fov_deg", "(0, 360]"),
    (("sensors[0].bearing_deg", 360), "sensors[0].bearing_deg", "[0, 360)"),
    (("sensors[0].bearing_deg", -1), "sensors[0].bearing_deg", "[0, 360)"),
    (("sensors[0].fov_deg", DELETE), "sensors[0].fov_deg", "go together"),
    (("sensors[0].bearing_deg", DELETE), "sensors[0].bearing_deg", "go together"),
]

COORDINATES = [
    (("units[0].position", [200, 35]), "units[0].position[0]", "longitude 200"),
    (("units[0].position", [-180.5, 35]), "units[0].position[0]", "longitude"),
    (("units[0].position", [40, 95]), "units[0].position[1]", "latitude 95"),
    (("units[0].position", [40]), "units[0].position", "got 1 values"),
    (("units[0].position", [40, 35, 1, 2]), "units[0].position", "got 4 values"),
    (("units[0].position", "40,35"), "units[0].position", "expected a list"),
    (("units[0].position", [True, 35]), "units[0].position[0]", "boolean"),
    (("units[0].position", DELETE), "units[0].position", "is required"),
    (("units[0].time", DELETE), "units[0].time", "is required"),
    (("sensors[0].position", [41, -91]), "sensors[0].position[1]", "latitude"),
]

GEOMETRIES = [
    (("zones[0].geometry.type", "Circle"), "zones[0].geometry.type",
     "Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon"),
    (("zones[0].geometry", {"type": "Point"}), "zones[0].geometry.coordinates", "is required"),
    (("zones[0].geometry", [38.6, 33.5]), "zones[0].geometry", "expected a mapping"),
    (("zones[0].geometry.coordinates", [[38.6, 33.5], [1, 2]]), "zones[0].geometry.coordinates[0]",
     "expected a number"),
    (("areas[0].geometry.coordinates", [[[40.3, 35.0], [40.6, 35.0], [40.6, 35.2], [40.3, 35.2]]]),
     "areas[0].geometry.coordinates[0]", "closed"),
    (("areas[0].geometry.coordinates", [[[40.3, 35.0], [40.6, 35.0], [40.3, 35.0]]]),
     "areas[0].geometry.coordinates[0]", "at least 4 positions"),
    (("areas[0].geometry.coordinates", [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]),
     "areas[0].geometry", "Self-intersection"),
    (("areas[0].geometry.coordinates", []), "areas[0].geometry.coordinates", "at least one ring"),
    (("areas[0].geometry.coordinates", [[40.3, 35.0], [40.6, 35.0]]),
     "areas[0].geometry.coordinates[0][0]", "expected a list"),
    (("areas[0].geometry.coordinates[0][2]", [40.6, 135.2]),
     "areas[0].geometry.coordinates[0][2][1]", "latitude"),
    (("areas[0].geometry", {"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [2, 0], [2, 2], [0, 0]]], [[[1, 0], [3, 0], [3, 2], [1, 0]]]]}),
     "areas[0].geometry", "invalid MultiPolygon"),
    (("areas[0].geometry", {"type": "MultiPolygon", "coordinates": []}),
     "areas[0].geometry.coordinates", "at least one polygon"),
    (("zones[1].geometry.coordinates", [[39.9, 35.5]]), "zones[1].geometry.coordinates",
     "two distinct"),
    (("zones[1].geometry.coordinates", [[39.9, 35.5], [39.9, 35.5]]),
     "zones[1].geometry.coordinates", "two distinct"),
    (("zones[1].geometry.coordinates", [[39.9, 35.5], [40.1, 35.3, 10]]),
     "zones[1].geometry.coordinates", "mix"),
    (("notices[0].geometry", {"type": "MultiLineString", "coordinates": [
        [[40, 35], [40.1, 35.1]], [[40, 35]]]}), "notices[0].geometry.coordinates[1]",
     "two distinct"),
    (("notices[0].geometry", {"type": "MultiPoint", "coordinates": [[40, 35], [400, 35]]}),
     "notices[0].geometry.coordinates[1][0]", "longitude"),
    (("notices[0].geometry.type", "Feature"), "notices[0].geometry.type", "unknown geometry"),
    (("notices[0].geometry.type", 7), "notices[0].geometry.type", "expected a string"),
    (("sites[1].radius_m", 100), "sites[1].radius_m", "only allowed on a Point"),
    (("areas[0].radius_m", 100), "areas[0].radius_m", "only allowed on a Point"),
    (("borders[0].geometry", {"type": "MultiPoint", "coordinates": [[41, 34.3]]}),
     "borders[0].geometry.type", "must be a LineString"),
]

IDS = [
    (("units[0].id", ""), "units[0].id", "must not be empty"),
    (("units[0].id", "   "), "units[0].id", "must not be empty"),
    (("units[0].id", 5), "units[0].id", "expected a string"),
    (("notices[0].id", DELETE), "notices[0].id", "is required"),
    (("zones[0].id", "sdf-east-1"), "zones[0].id", "already used at units[0].id"),
    (("borders[0].id", "ru-strike-1"), "borders[0].id", "already used at notices[0].id"),
    (("sensors[0].id", "is-held-1"), "sensors[0].id", "already used at areas[0].id"),
    (("zones[1].id", "tanf"), "zones[1].id", "already used at zones[0].id"),
    (("sites[1].id", "mayadeen-hospital"), "sites[1].id", "duplicate id"),
    (("parties[2].id", "sdf"), "parties[2].id", "already used at parties[1].id"),
    (("parties[0].name", DELETE), "parties[0].name", "is required"),
    (("parties[0].name", ""), "parties[0].name", "must not be empty"),
    (("parties[0].kind", DELETE), "parties[0].kind", "is required"),
]

REFERENCES = [
    (("relations[0].a", "nato"), "relations[0].a", "unknown party 'nato'"),
    (("relations[0].b", "nato"), "relations[0].b", "unknown party"),
    (("separation.pairs[0].a", "nato"), "separation.pairs[0].a", "unknown party"),
    (("separation.pairs[0].b", "nato"), "separation.pairs[0].b", "unknown party"),
    (("disclosure[0].from", "nato"), "disclosure[0].from", "unknown party"),
    (("disclosure[0].to", "nato"), "disclosure[0].to", "unknown party"),
    (("parties[1].sponsor", "nato"), "parties[1].sponsor", "unknown party"),
    (("units[0].party", "nato"), "units[0].party", "unknown party"),
    (("areas[0].holder", "nato"), "areas[0].holder", "unknown party"),
    (("zones[0].owner", "nato"), "zones[0].owner", "unknown party"),
    (("zones[0].signatories[1]", "nato"), "zones[0].signatories[1]", "unknown party"),
    (("zones[1].sides.left", "nato"), "zones[1].sides.left", "unknown party"),
    (("zones[1].sides.right", "nato"), "zones[1].sides.right", "unknown party"),
    (("sites[0].party", "nato"), "sites[0].party", "unknown party"),
    (("notices[0].party", "nato"), "notices[0].party", "unknown party"),
    (("sensors[0].party", "nato"), "sensors[0].party", "unknown party"),
    (("units[0].party", ""), "units[0].party", "must not be empty"),
    (("relations[0].b", "coalition"), "relations[0].b", "same party"),
    (("separation.pairs[0].b", "syria"), "separation.pairs[0].b", "same party"),
    (("disclosure[0].to", "sdf"), "disclosure[0].to", "its own units"),
    (("parties[1].sponsor", "sdf"), "parties[1].sponsor", "sponsor itself"),
    (("zones[0].signatories[1]", "coalition"), "zones[0].signatories[1]", "listed twice"),
]

PAIRS_TWICE = [
    (("relations[2]", {"a": "sdf", "b": "coalition", "kind": "hostile"}), "relations[2]",
     "listed twice (first at relations[0])"),
    (("separation.pairs[1]", {"a": "sdf", "b": "syria", "warn_m": 1, "critical_m": 1}),
     "separation.pairs[1]", "listed twice"),
    (("disclosure[2]", {"from": "sdf", "to": "russia", "level": "exact"}), "disclosure[2]",
     "listed twice"),
]

ZONES = [
    (("zones[0].owner", DELETE), "zones[0].owner", "needs an owner"),
    (("zones[0].sides", {"left": "sdf"}), "zones[0].sides", "only a line has sides"),
    (("zones[1].owner", "sdf"), "zones[1].owner", "not an owner"),
    (("zones[1].sides", DELETE), "zones[1].sides", "needs sides"),
    (("zones[1].sides", {}), "zones[1].sides", "at least one of left, right"),
    (("zones[1].sides", ["syria", "sdf"]), "zones[1].sides", "expected a mapping"),
    (("zones[1].sides.north", "sdf"), "zones[1].sides.north", "unknown key"),
    (("zones[1].geometry", {"type": "Polygon", "coordinates": [
        [[0, 0], [1, 0], [1, 1], [0, 0]]]}), "zones[1].geometry.type", "must be a LineString"),
    (("zones[0].signatories", "coalition"), "zones[0].signatories", "expected a list"),
]

REFUSALS = [*TOP_LEVEL, *TIMES, *NUMBERS, *COORDINATES, *GEOMETRIES, *IDS, *REFERENCES,
            *PAIRS_TWICE, *ZONES]


@pytest.mark.parametrize(("edit", "field", "why"), REFUSALS, ids=lambda v: str(v)[:60])
def test_refusal_names_the_path(edit: tuple[str, object], field: str, why: str) -> None:
    error = refused(edited(spec_document(), edit))
    assert (error.field, error.source) == (field, "spec-example.yaml")
    assert why in error.message
    assert str(error) == f"spec-example.yaml: {field}: {error.message}"
    assert error.to_dict()["field"] == field


def test_document_that_is_not_a_mapping() -> None:
    error = refused([1, 2])
    assert error.field is None
    assert str(error) == "spec-example.yaml: expected a mapping, got a list"


def test_zone_and_notice_geometries_may_be_lines_or_polygons() -> None:
    line = {"type": "LineString", "coordinates": [[40, 35], [40.1, 35]]}
    ring = [[40, 35], [41, 35], [41, 36], [40, 36], [40, 35]]
    square = {"type": "Polygon", "coordinates": [ring]}
    doc = edited(spec_document(), ("notices[0].geometry", line), ("zones[0].geometry", square),
                 ("zones[0].radius_m", DELETE))
    s = scenario_from_document(doc)
    assert (s.notices[0].shape.kind, s.zones[0].shape.kind) == ("LineString", "Polygon")


def test_equal_window_times_are_one_instant() -> None:
    doc = edited(spec_document(), ("notices[0].window", ["2017-09-18T07:00:00Z"] * 2))
    assert scenario_from_document(doc).notices[0].window.seconds == 0


# -- text and files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("scenario: 1\ntime: [2017\nname: x\n", 3),
        ("scenario: 1\ntime: 2017-09-18T06:00:00Z\n  name: bad indent\n", 3),
        ("scenario: 1\ntime: 2017-09-18T06:00:00Z\nscenario: 1\n", 3),
        ("scenario: 1\n---\nscenario: 1\n", 2),
        ("scenario: !!int twelve\n", 1),
    ],
)
def test_yaml_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert f"line {line}," in caught.value.message
    assert str(caught.value).startswith(f"{path}: not valid YAML at line {line}")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "expected a mapping, got null"),
        ("just words", "expected a mapping, got the string"),
        ("[" * 5000, ""),
        ("scenario: 1\ntime: 2017-09-18T06:00:00Z\nunits: &a [*a]\n", "units[0]"),
        ("scenario: 1\ntime: 2017-09-18T06:00:00Z\nname: .nan\n", "name"),
        ("{scenario: 1, time: '2017-09-18T06:00:00Z', units: [{radius_m: .inf}]}", "units[0]"),
    ],
)
def test_odd_texts_are_scenario_errors(text: str, why: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "odd.yaml")
    assert caught.value.source == "odd.yaml"
    assert why in str(caught.value)


def test_non_finite_yaml_numbers_are_refused_at_their_path() -> None:
    text = ("scenario: 1\ntime: 2017-09-18T06:00:00Z\n"
            "separation: {default: {warn_m: .inf, critical_m: 0}}")
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    assert caught.value.field == "separation.default.warn_m"


def test_unreadable_files_are_scenario_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError, match="cannot read") as caught:
        load_scenario(missing)
    assert caught.value.source == str(missing)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(folder)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("scenario: 1\nname: Dayr az-Zawr \xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_scenario(latin)
    with pytest.raises(ScenarioError, match=r"unknown file type '\.txt'") as caught:
        load_scenario(tmp_path / "scenario.txt")
    assert caught.value.source.endswith("scenario.txt")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.read_bytes())
    assert load_scenario(path) == Scenario(time=T0)


def test_errors_from_files_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(edited(spec_document(), ("units[0].position", [40, 95]))))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: units[0].position[1]: latitude 95 is outside [-90, 90]")


# -- writing ---------------------------------------------------------------------------------


def test_document_has_the_spec_key_order_and_omits_defaults() -> None:
    doc = scenario_to_document(load_scenario(SPEC))
    assert list(doc) == ["scenario", "name", "time", "parties", "relations", "separation",
                         "disclosure", "units", "areas", "zones", "sites", "notices", "sensors",
                         "borders"]
    assert list(doc["units"][0]) == ["id", "party", "kind", "name", "position", "radius_m",
                                     "time", "stale"]
    assert list(doc["zones"][0]) == ["id", "kind", "geometry", "radius_m", "owner", "signatories"]
    assert list(doc["zones"][1]) == ["id", "kind", "geometry", "sides", "signatories"]
    assert doc["time"] == "2017-09-18T06:00:00Z"
    assert doc["separation"] == {"pairs": [{"a": "sdf", "b": "syria", "warn_m": 10000,
                                            "critical_m": 3000}]}
    assert doc["sites"][0] == {"id": "mayadeen-hospital", "party": "sarc", "kind": "hospital",
                               "geometry": {"type": "Point", "coordinates": [40.45, 35.02]},
                               "buffer_m": 300}
    assert json.loads(json.dumps(doc)) == doc


def test_minimal_document_is_minimal() -> None:
    scenario = Scenario(time=T0)
    assert scenario_to_document(scenario) == {"scenario": 1, "time": "2017-09-18T06:00:00Z"}


def test_unit_defaults_are_omitted() -> None:
    doc = edited(spec_document(), ("units[0].radius_m", DELETE), ("units[0].stale", DELETE),
                 ("notices[0].standoff_m", DELETE), ("sites[0].buffer_m", 0))
    out = scenario_to_document(scenario_from_document(doc))
    assert "radius_m" not in out["units"][0] and "stale" not in out["units"][0]
    assert "standoff_m" not in out["notices"][0]
    assert "buffer_m" not in out["sites"][0]
    kept = edited(spec_document(), ("notices[0].standoff_m", 0))
    assert scenario_to_document(scenario_from_document(kept))["notices"][0]["standoff_m"] == 0


def test_unit_with_a_track_is_written_at_the_scenario_time() -> None:
    early = Fix(Position(40.0, 35.0), utc(5), 10.0)
    current = Fix(Position(40.1, 35.1), utc(6), stale=utc(7))
    future = Fix(Position(40.2, 35.2), utc(9))
    unit = Unit("u1", "p", UnitKind.AIR, (early, current, future))
    doc = scenario_to_document(Scenario(time=utc(6, 30), units=(unit,)))
    assert doc["units"][0]["position"] == [40.1, 35.1]
    assert doc["units"][0]["stale"] == "2017-09-18T07:00:00Z"
    before = scenario_to_document(Scenario(time=utc(4), units=(unit,)))
    assert before["units"][0]["position"] == [40, 35]
    assert before["units"][0]["radius_m"] == 10


def test_times_are_written_in_utc_with_z() -> None:
    from zoneinfo import ZoneInfo

    moment = datetime(2017, 9, 18, 9, 0, 0, 120000, tzinfo=ZoneInfo("Asia/Damascus"))
    doc = scenario_to_document(Scenario(time=moment))
    assert doc["time"] == "2017-09-18T06:00:00.12Z"
    with pytest.raises(ScenarioError, match="timezone"):
        scenario_to_document(Scenario(time=datetime(2017, 9, 18)))


def test_non_finite_numbers_are_not_written() -> None:
    doc = edited(spec_document(), ("zones[0].radius_m", 1))
    zone = scenario_from_document(doc).zones[0]
    broken = Scenario(time=T0, zones=(replace(zone, shape=replace(zone.shape, radius_m=math.nan)),))
    with pytest.raises(ScenarioError, match="not finite"):
        dump_scenario(broken, "json")


@pytest.mark.parametrize("fixture", [MINIMAL, SPEC, RICH])
def test_round_trip_through_documents_and_text(fixture: Path) -> None:
    scenario = load_scenario(fixture)
    assert scenario_from_document(scenario_to_document(scenario)) == scenario
    for fmt in ("yaml", "json"):
        assert parse_scenario(dump_scenario(scenario, fmt)) == scenario


@pytest.mark.parametrize("name", ["out.yaml", "out.yml", "out.json", "OUT.JSON"])
def test_write_then_load(tmp_path: Path, name: str) -> None:
    scenario = load_scenario(RICH)
    path = tmp_path / name
    path.write_text("old content that must be replaced whole")
    write_scenario(scenario, path)
    assert load_scenario(path) == scenario
    assert os.listdir(tmp_path) == [name]  # no temporary file left behind
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("{") == name.lower().endswith(".json")
    assert "Iraq–Syria border" in text  # written as UTF-8, not escaped


def test_write_refusals(tmp_path: Path) -> None:
    scenario = Scenario(time=T0)
    with pytest.raises(ScenarioError, match="unknown file type"):
        write_scenario(scenario, tmp_path / "out.xml")
    with pytest.raises(ScenarioError, match="cannot write") as caught:
        write_scenario(scenario, tmp_path / "no" / "such" / "dir.yaml")
    assert caught.value.source.endswith("dir.yaml")
    with pytest.raises(ScenarioError, match="unknown format"):
        dump_scenario(scenario, "toml")
    assert list(tmp_path.iterdir()) == []


# -- generated scenarios ---------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_IDS = _TEXT.filter(str.strip)
_TIMES = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
_METRES = st.floats(0, 1e7, allow_subnormal=False)
_LON, _LAT = st.floats(-180, 180), st.floats(-90, 90)
_POSITION = st.one_of(st.tuples(_LON, _LAT), st.tuples(_LON, _LAT, st.floats(-500, 1e5))).map(list)


def _values(kind: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in kind])


@st.composite
def _window(draw: st.DrawFn) -> list[str]:
    start = draw(_TIMES)
    end = start + draw(st.timedeltas(timedelta(0), timedelta(days=3)))
    return [t.isoformat().replace("+00:00", "Z") for t in (start, end)]


@st.composite
def _rectangle(draw: st.DrawFn, west: float = -170.0) -> list[list[list[float]]]:
    lon = draw(st.floats(west, west + 4))
    lat = draw(st.floats(-80, 80))
    width, height = draw(st.floats(0.001, 5)), draw(st.floats(0.001, 5))
    corners = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height]]
    return [[*corners, corners[0]]]


_LINE = st.lists(_POSITION.map(lambda p: p[:2]), min_size=2, max_size=4).filter(
    lambda line: len({tuple(p) for p in line}) >= 2)
_GEOMETRY = st.one_of(
    st.builds(lambda c: {"type": "Point", "coordinates": c}, _POSITION),
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, _LINE),
    st.builds(lambda c: {"type": "Polygon", "coordinates": c}, _rectangle()),
    st.builds(lambda c: {"type": "MultiPoint", "coordinates": c},
              st.lists(_POSITION.map(lambda p: p[:2]), min_size=1, max_size=3)),
    st.builds(lambda c: {"type": "MultiLineString", "coordinates": c},
              st.lists(_LINE, min_size=1, max_size=2)),
    st.builds(lambda a, b: {"type": "MultiPolygon", "coordinates": [a, b]},
              _rectangle(-170.0), _rectangle(0.0)),
)


def _optional(draw: st.DrawFn, entries: dict[str, Any]) -> dict[str, Any]:
    """Each entry kept or left out, as hypothesis decides."""
    return {k: v for k, v in entries.items() if draw(st.booleans())}


@st.composite
def _shaped(draw: st.DrawFn) -> dict[str, Any]:
    geometry = draw(_GEOMETRY)
    out: dict[str, Any] = {"geometry": geometry}
    if geometry["type"] == "Point" and draw(st.booleans()):
        out["radius_m"] = draw(_METRES)
    return out


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    party_ids = draw(st.lists(_IDS, min_size=1, max_size=4, unique=True))
    party = st.sampled_from(party_ids)
    counts = draw(st.lists(st.integers(0, 2), min_size=7, max_size=7))
    target_ids = iter(draw(st.lists(_IDS, min_size=sum(counts), max_size=sum(counts),
                                    unique=True)))
    pairs = list(itertools.combinations(party_ids, 2))
    doc: dict[str, Any] = {"scenario": 1, "time": draw(_window())[0]}
    doc |= _optional(draw, {"name": draw(_TEXT)})
    doc["parties"] = [
        {"id": p, "name": draw(_IDS), "kind": draw(_values(PartyKind))}
        | _optional(draw, {"sponsor": draw(st.sampled_from([q for q in party_ids if q != p]
                                                            or [None]))})
        for p in party_ids
    ]
    doc["parties"] = [{k: v for k, v in p.items() if v is not None} for p in doc["parties"]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    doc["relations"] = [{"a": a, "b": b, "kind": draw(_values(RelationKind))} for a, b in chosen]
    warn = draw(_METRES)
    doc["separation"] = {
        "default": {"warn_m": warn, "critical_m": draw(st.floats(0, warn))},
        "pairs": [{"a": b, "b": a, "warn_m": warn, "critical_m": 0} for a, b in chosen],
    }
    doc["disclosure"] = [{"from": a, "to": b, "level": draw(_values(DisclosureLevel))}
                         for a, b in chosen]
    doc["units"] = [
        {"id": next(target_ids), "party": draw(party), "kind": draw(_values(UnitKind)),
         "position": draw(_POSITION), "time": draw(_window())[0]}
        | _optional(draw, {"name": draw(_TEXT), "radius_m": draw(_METRES)})
        for _ in range(counts[0])
    ]
    for unit in doc["units"]:
        if draw(st.booleans()):
            unit["stale"] = unit["time"]
    doc["areas"] = [
        {"id": next(target_ids), "holder": draw(party), "kind": draw(_values(AreaKind))}
        | draw(_shaped()) | _optional(draw, {"name": draw(_TEXT)})
        for _ in range(counts[1])
    ]
    doc["zones"] = [
        {"id": next(target_ids), "kind": "zone", "owner": draw(party)} | draw(_shaped())
        | _optional(draw, {"name": draw(_TEXT), "signatories": party_ids[:2]})
        for _ in range(counts[2])
    ] + [
        {"id": next(target_ids), "kind": "line", "geometry": {"type": "LineString",
                                                              "coordinates": draw(_LINE)},
         "sides": draw(st.sampled_from([{"left": party_ids[0]}, {"right": party_ids[-1]},
                                        {"left": party_ids[-1], "right": party_ids[0]}]))}
        for _ in range(counts[3])
    ]
    doc["sites"] = [
        {"id": next(target_ids), "party": draw(party), "kind": draw(_values(SiteKind))}
        | draw(_shaped())
        | _optional(draw, {"name": draw(_TEXT), "buffer_m": draw(_METRES),
                           "window": draw(_window())})
        for _ in range(counts[4])
    ]
    doc["notices"] = [
        {"id": next(target_ids), "party": draw(party), "kind": draw(_values(NoticeKind)),
         "window": draw(_window())}
        | draw(_shaped())
        | _optional(draw, {"name": draw(_TEXT), "buffer_m": draw(_METRES),
                           "standoff_m": draw(_METRES), "altitude_m": [-10.5, 1e4]})
        for _ in range(counts[5])
    ]
    doc["sensors"] = [
        {"id": next(target_ids), "party": draw(party), "kind": draw(_values(SensorKind)),
         "position": draw(_POSITION), "range_m": draw(_METRES)}
        | draw(st.sampled_from([{}, {"bearing_deg": 0, "fov_deg": 360},
                                {"bearing_deg": 359.999, "fov_deg": 1e-9}]))
        | _optional(draw, {"name": draw(_TEXT)})
        for _ in range(counts[6])
    ]
    doc["borders"] = [
        {"id": next(target_ids), "geometry": {"type": "LineString", "coordinates": draw(_LINE)}}
        for _ in target_ids
    ]
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_scenarios_round_trip(doc: dict[str, Any]) -> None:
    scenario = scenario_from_document(doc)
    written = scenario_to_document(scenario)
    assert scenario_from_document(written) == scenario
    assert scenario_to_document(scenario_from_document(written)) == written
    assert parse_scenario(dump_scenario(scenario, "yaml")) == scenario
    assert parse_scenario(dump_scenario(scenario, "json")) == scenario


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: str = "") -> list[str]:
    """Every path in a document, in the error-path syntax."""
    if isinstance(node, dict):
        items = [(f"{prefix}.{k}" if prefix else k, v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(f"{prefix}[{i}]", v) for i, v in enumerate(node)]
    else:
        return []
    return [p for path, value in items for p in (path, *_paths(value, path))]


SPEC_PATHS = _paths(spec_document())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SPEC_PATHS), _JSONISH)
def test_any_value_anywhere_is_loaded_or_refused_with_a_path(path: str, value: object) -> None:
    try:
        scenario_from_document(edited(spec_document(), (path, value)), "f.yaml")
    except ScenarioError as error:
        assert error.field, str(error)  # refused by a check, not by the last-resort net
        assert error.source == "f.yaml"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_parsed_or_refused(text: str) -> None:
    try:
        parse_scenario(text)
    except ScenarioError as error:
        assert error.source == "<scenario>"
