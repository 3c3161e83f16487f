"""Sensors and borders in scenario files, GeoJSON and the store; the shipped Iraq–Syria border."""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from geographiclib.geodesic import Geodesic

from deconflict.errors import ScenarioError
from deconflict.interop.borders import (
    SHIPPED_BORDERS,
    border_source,
    borders_from_geojson,
    load_border,
)
from deconflict.interop.scenario import dump_scenario, parse_scenario, scenario_from_document
from deconflict.model import horizon_range_m
from deconflict.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
WGS84 = Geodesic.WGS84

DOC: dict[str, Any] = {
    "scenario": 1,
    "time": "2017-09-18T06:00:00Z",
    "parties": [{"id": "isf", "name": "Iraqi forces", "kind": "state"},
                {"id": "pmf", "name": "PMF", "kind": "non_state"}],
    "sensors": [
        {"id": "tower", "party": "isf", "kind": "tower", "name": "Tower",
         "position": [41.0, 34.4], "range_m": 8000, "bearing_deg": 270, "fov_deg": 120,
         "altitude_m": 30, "windows": [["2017-09-18T06:00:00Z", "2017-09-18T18:00:00Z"]],
         "outages": [["2017-09-18T09:00:00Z", "2017-09-18T10:00:00Z"],
                     ["2017-09-18T12:00:00Z", "2017-09-18T12:30:00Z"]]},
        {"id": "balloon", "party": "isf", "kind": "balloon", "position": [41.1, 34.5],
         "altitude_m": 300, "target_height_m": 2},
        {"id": "patrol", "party": "pmf", "kind": "patrol", "range_m": 3000,
         "patrol": {"route": {"type": "LineString", "coordinates": [[41.0, 34.3], [41.1, 34.35]]},
                    "start": "2017-09-18T06:00:00Z", "speed_mps": 8.5, "loop": True}},
        {"id": "timed", "party": "pmf", "kind": "patrol", "position": [41.2, 34.3],
         "range_m": 3000,
         "patrol": {"route": {"type": "LineString", "coordinates": [[41.0, 34.3], [41.1, 34.35]]},
                    "times": ["2017-09-18T06:00:00Z", "2017-09-18T07:00:00Z"]}},
    ],
    "borders": [
        {"id": "shipped", "geometry": {"ref": "iraq-syria"}, "owner": "isf"},
        {"id": "drawn", "name": "Drawn", "owner": "pmf",
         "geometry": {"type": "LineString", "coordinates": [[41.0, 34.3], [41.2, 34.8]]}},
    ],
}


def doc_with(path: str, value: object) -> dict[str, Any]:
    """A copy of DOC with ``sensors[0].range_m``-style path set (``...`` deletes it)."""
    doc = copy.deepcopy(DOC)
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is ...:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return doc


def test_every_new_key_is_read() -> None:
    s = scenario_from_document(DOC)
    tower, balloon, patrol, timed = s.sensors
    assert len(tower.windows) == 1 and len(tower.outages) == 2 and tower.altitude_m == 30
    assert balloon.range_from_horizon and balloon.range_m == pytest.approx(
        horizon_range_m(300, 2))
    assert patrol.patrol is not None and patrol.patrol.loop and patrol.patrol.speed_mps == 8.5
    assert patrol.position == patrol.patrol.route[0]
    assert timed.patrol is not None and len(timed.patrol.times) == 2
    shipped, drawn = s.borders
    assert shipped.ref == "iraq-syria" and shipped.owner == "isf"
    assert shipped.name == "Iraq–Syria border"
    assert drawn.ref is None and drawn.owner == "pmf"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_keeps_everything(fmt: str) -> None:
    s = scenario_from_document(DOC)
    text = dump_scenario(s, fmt)
    assert parse_scenario(text) == s
    written = parse_scenario(text)
    assert "ref: iraq-syria" in text or '"ref": "iraq-syria"' in text
    assert written.sensors[1].range_from_horizon  # the range is not frozen into the file


def test_the_store_keeps_schedules_patrols_and_owners(tmp_path: Path) -> None:
    s = scenario_from_document(DOC)
    store = open_store(tmp_path / "hub.db")
    try:
        store.replace_scenario(s)
        back = store.scenario()
    finally:
        store.close()
    assert back.sensors == s.sensors and back.borders == s.borders


@pytest.mark.parametrize(("path", "value", "field", "words"), [
    ("sensors[0].range_m", -1, "sensors[0].range_m", "negative"),
    ("sensors[0].fov_deg", 400, "sensors[0].fov_deg", "(0, 360]"),
    ("sensors[0].fov_deg", 0, "sensors[0].fov_deg", "(0, 360]"),
    ("sensors[0].bearing_deg", 360, "sensors[0].bearing_deg", "[0, 360)"),
    ("sensors[0].range_m", ..., None, None),  # fine: altitude_m gives the horizon
    ("sensors[1].altitude_m", ..., "sensors[1].range_m", "altitude_m"),
    ("sensors[1].altitude_m", -3, "sensors[1].altitude_m", "negative"),
    ("sensors[1].target_height_m", "tall", "sensors[1].target_height_m", "number"),
    ("sensors[0].outages[0]", ["2017-09-18T10:00:00Z", "2017-09-18T09:00:00Z"],
     "sensors[0].outages[0]", "before it starts"),
    ("sensors[0].windows", "always", "sensors[0].windows", "list"),
    ("sensors[0].position", ..., "sensors[0].position", "required"),
    ("sensors[2].patrol.speed_mps", 0, "sensors[2].patrol.speed_mps", "positive"),
    ("sensors[2].patrol.speed_mps", ..., "sensors[2].patrol.start", "speed_mps"),
    ("sensors[2].patrol.loop", "yes", "sensors[2].patrol.loop", "true or false"),
    ("sensors[2].patrol.route", {"type": "Point", "coordinates": [41, 34]},
     "sensors[2].patrol.route.type", "LineString"),
    ("sensors[2].patrol.pace", 3, "sensors[2].patrol.pace", "unknown key"),
    ("sensors[3].patrol.times", ["2017-09-18T07:00:00Z", "2017-09-18T06:00:00Z"],
     "sensors[3].patrol.times[1]", "increase"),
    ("sensors[3].patrol.times", ["2017-09-18T07:00:00Z"], "sensors[3].patrol.times",
     "one time per route position"),
    ("borders[1].geometry", {"type": "Polygon", "coordinates": [[[41, 34], [41.1, 34],
                                                               [41.1, 34.1], [41, 34]]]},
     "borders[1].geometry.type", "LineString"),
    ("borders[1].geometry", {"type": "Point", "coordinates": [41, 34]},
     "borders[1].geometry.type", "LineString"),
    ("borders[0].geometry", {"ref": "moon"}, "borders[0].geometry.ref", "no shipped border"),
    ("borders[0].geometry", {"ref": "../etc/passwd"}, "borders[0].geometry.ref",
     "no shipped border"),
    ("borders[0].geometry", {"ref": "iraq-syria", "type": "LineString"},
     "borders[0].geometry.type", "unknown key"),
    ("borders[0].owner", "nobody", "borders[0].owner", "unknown party"),
])
def test_bad_input_names_the_field(path: str, value: object, field: str | None,
                                   words: str | None) -> None:
    doc = doc_with(path, value)
    if field is None:
        scenario_from_document(doc)
        return
    with pytest.raises(ScenarioError) as err:
        scenario_from_document(doc, "x.yaml")
    assert err.value.field == field
    assert words is not None and words in err.value.message
    assert str(err.value).startswith(f"x.yaml: {field}: ")


# -- GeoJSON and the shipped border --------------------------------------------------------------


def test_borders_from_a_feature_collection() -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "properties": {"name": "A", "source": "drawn"},
         "geometry": {"type": "LineString", "coordinates": [[41, 34], [41.1, 34.1]]}},
        {"type": "Feature", "properties": {"id": "b", "owner": "isf"},
         "geometry": {"type": "LineString", "coordinates": [[42, 34], [42.1, 34.1]]}},
    ]}
    a, b = borders_from_geojson(doc)
    assert (a.id, a.name, b.id, b.owner) == ("a", "A", "b", "isf")


@pytest.mark.parametrize(("doc", "field"), [
    ({"type": "Topology"}, "type"),
    ({"type": "Feature", "properties": {"id": "x"},
      "geometry": {"type": "Polygon", "coordinates": [[[41, 34], [41.1, 34], [41.1, 34.1],
                                                       [41, 34]]]}}, "geometry.type"),
    ({"type": "Feature", "properties": {},
      "geometry": {"type": "LineString", "coordinates": [[41, 34], [41.1, 34.1]]}},
     "properties.id"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "id": "x",
                                                 "geometry": None}]}, "features[0].geometry"),
])
def test_bad_geojson_names_the_field(doc: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as err:
        borders_from_geojson(doc, "b.geojson")
    assert err.value.field == field


def test_the_shipped_iraq_syria_border() -> None:
    assert "iraq-syria" in SHIPPED_BORDERS
    border = load_border("iraq-syria")
    coords = list(border.shape.geometry.coords)
    length = sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"]
                 for a, b in itertools.pairwise(coords))
    assert 590_000 < length < 610_000  # "a 600 km desert border"
    north, south = coords[0], coords[-1]
    assert north[1] > south[1]  # ordered north to south
    # Tripoints: with Turkey on the Tigris (about 42.36E 37.11N), with Jordan (38.79E 33.37N).
    assert WGS84.Inverse(north[1], north[0], 37.11, 42.36)["s12"] < 5_000
    assert WGS84.Inverse(south[1], south[0], 33.37, 38.79)["s12"] < 5_000
    assert "Natural Earth" in border_source("iraq-syria")
    assert "public domain" in border_source("iraq-syria")
    raw = json.loads((ROOT / "src/deconflict/data/borders/iraq-syria.geojson").read_text())
    assert {"id", "name", "source", "derived"} <= set(raw["properties"])


def _derive_tool() -> Any:
    spec = importlib.util.spec_from_file_location("derive_border", ROOT / "tools/derive_border.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["derive_border"] = module
    spec.loader.exec_module(module)
    return module


def test_the_derivation_decodes_topojson_and_joins_shared_arcs() -> None:
    tool = _derive_tool()
    # Two squares side by side sharing one edge, split in two arcs; quantized and delta-encoded.
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [40.0, 30.0]},
        "arcs": [[[0, 0], [0, 4]], [[0, 4], [0, 4]], [[0, 8], [-2, 0], [0, -8], [2, 0]],
                 [[0, 0], [2, 0], [0, 8], [-2, 0]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "id": "368", "arcs": [[0, 1, 2]]},
            {"type": "Polygon", "id": "760", "arcs": [[~1, ~0, 3]]},
        ]}},
    }
    arcs = tool.decode_arcs(topology)
    assert arcs[1] == [(40.0, 31.0), (40.0, 32.0)]
    line, shared = tool.derive(topology)
    assert shared == [0, 1]
    assert line == [(40.0, 32.0), (40.0, 31.0), (40.0, 30.0)]  # north to south
