"""GET /api/v1/borders, /coverage and /coverage/timeline: the watch computed only from the
sensors the caller may see.

One scenario, two hubs: ``VISIBLE`` has only sensors isf may see (its own and the coalition's,
released to it ``exact``); ``HIDDEN`` adds a Syrian radar (released ``none`` to isf) and a PMF
tower (released ``area``) that watch parts of the same borders, with outages and windows of
their own. isf's replies must agree with ``deconflict coverage`` on ``VISIBLE`` (the whole truth
when everything is visible), and be byte for byte the same on both hubs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from deconflict.cli import main
from deconflict.model import Role
from deconflict.service.coverage_views import MAX_TIMELINE_CELLS

from .conftest import make_hub_db, run_client

GEOD = Geod(ellps="WGS84")
AT = "2017-09-18T10:30:00Z"  # the balloon is down (10:00 to 11:00)
DAY = {"from": "2017-09-18T00:00:00Z", "to": "2017-09-19T00:00:00Z", "step_min": "60"}

VISIBLE = """\
scenario: 1
name: Coverage API test
time: "2017-09-18T06:00:00Z"
parties:
  - {id: isf, name: Iraqi forces, kind: state}
  - {id: coalition, name: Coalition, kind: state}
  - {id: syria, name: Syria, kind: state}
  - {id: pmf, name: PMF, kind: non_state}
disclosure:
  - {from: coalition, to: isf, level: exact}
  - {from: pmf, to: isf, level: area}
  - {from: syria, to: coalition, level: exact}
borders:
  - id: line-a
    name: Test border A
    owner: isf
    geometry: {type: LineString, coordinates: [[41.0, 34.0], [41.15, 34.4], [41.1, 34.9]]}
  - {id: line-b, name: Unowned line, geometry: {type: LineString,
     coordinates: [[40.0, 33.0], [40.3, 33.1]]}}
sensors:
  - {id: isf-thermal-1, party: isf, kind: thermal, position: [41.12, 34.1], range_m: 8000,
     bearing_deg: 270, fov_deg: 120}
  - {id: isf-balloon-1, party: isf, kind: balloon, position: [41.25, 34.6], altitude_m: 60,
     outages: [["2017-09-18T10:00:00Z", "2017-09-18T11:00:00Z"]]}
  - id: isf-patrol-1
    party: isf
    kind: patrol
    range_m: 3000
    patrol:
      route: {type: LineString, coordinates: [[41.03, 34.05], [41.14, 34.35]]}
      start: "2017-09-18T06:00:00Z"
      speed_mps: 6
      loop: true
  - {id: co-tower-1, party: coalition, kind: tower, position: [40.15, 33.08], range_m: 5000,
     windows: [["2017-09-18T08:00:00Z", "2017-09-18T20:00:00Z"]]}
"""

HIDDEN_SENSORS = """\
  - {id: syr-secret-radar, party: syria, kind: radar, position: [41.14, 34.45], range_m: 15000,
     outages: [["2017-09-18T07:20:00Z", "2017-09-18T07:50:00Z"]]}
  - {id: pmf-secret-tower, party: pmf, kind: tower, position: [40.2, 33.05], range_m: 6000,
     windows: [["2017-09-18T09:07:00Z", "2017-09-18T15:13:00Z"]]}
"""
SECRETS = ("syr-secret-radar", "pmf-secret-tower")


@dataclass
class Hub:
    scenario: Path
    client: TestClient
    tokens: dict[str, str]

    def get(self, party: str, path: str, **params: str) -> Any:
        reply = self.client.get(path, params=params,
                                headers={"Authorization": f"Bearer {self.tokens[party]}"})
        return reply

    def json(self, party: str, path: str, **params: str) -> Any:
        reply = self.get(party, path, **params)
        assert reply.status_code == 200, reply.text
        return reply.json()


def _hub(tmp_path: Path, text: str) -> Iterator[Hub]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    roles = {p: Role.LIAISON for p in ("isf", "coalition", "syria", "pmf")}
    db, tokens = make_hub_db(tmp_path, scenario, roles)
    with run_client(db) as client:
        yield Hub(scenario, client, tokens)


@pytest.fixture
def visible(tmp_path: Path) -> Iterator[Hub]:
    yield from _hub(tmp_path / "visible", VISIBLE)


@pytest.fixture
def hidden(tmp_path: Path) -> Iterator[Hub]:
    yield from _hub(tmp_path / "hidden", VISIBLE + HIDDEN_SENSORS)


def cli(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["coverage", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def spec_part(border: dict[str, Any]) -> dict[str, Any]:
    return {"id": border["id"], "length_m": border["length_m"], "covered_m": border["covered_m"],
            "gaps": [{"from_m": g["from_m"], "to_m": g["to_m"]} for g in border["gaps"]]}


# -- agreement with the whole truth ----------------------------------------------------------


@pytest.mark.parametrize("at", ["2017-09-18T06:00:00Z", AT, "2017-09-18T16:45:00Z"])
def test_with_every_sensor_visible_coverage_is_the_clis(visible: Hub, at: str) -> None:
    truth = cli("--scenario", str(visible.scenario), "--at", at)
    mine = visible.json("isf", "/api/v1/coverage", at=at)
    assert mine["time"] == at
    assert [spec_part(b) for b in mine["borders"]] == truth["borders"]
    assert mine["sensors"] == ["co-tower-1", "isf-balloon-1", "isf-patrol-1", "isf-thermal-1"]
    a = mine["borders"][0]
    assert (a["name"], a["owner"]) == ("Test border A", "isf")
    assert 0 < a["covered_m"] < a["length_m"] and a["gaps"]


def test_the_timeline_is_the_clis_watch_over_the_range(visible: Hub) -> None:
    truth = cli("--scenario", str(visible.scenario), "--from", DAY["from"], "--to", DAY["to"],
                "--step-min", "60")
    mine = visible.json("isf", "/api/v1/coverage/timeline", **DAY)
    assert (mine["from"], mine["to"], mine["step_min"], mine["section_m"]) == (
        DAY["from"], DAY["to"], 60.0, 5000.0)
    for got, want in zip(mine["borders"], truth["borders"], strict=True):
        assert len(got["steps"]) == 24 and got["steps"][1] == "2017-09-18T01:00:00Z"
        for key in ("id", "length_m", "mean_covered_m", "least_covered_m", "least_at", "samples"):
            assert got[key] == want[key], key
        for section, truth_section in zip(got["sections"], want["sections"], strict=True):
            for key in ("from_m", "to_m", "watched_min", "full_min", "blind_min"):
                assert section[key] == truth_section[key], key
            assert "nearest" not in section  # forces are not part of the view
            # The steps add up to the range (each rounded to 0.1 min).
            assert sum(section["by_step"]) == pytest.approx(section["watched_min"], abs=1.3)
            assert all(0 <= m <= 60.0 for m in section["by_step"])


def test_the_outage_shows_in_its_step(visible: Hub) -> None:
    border = visible.json("isf", "/api/v1/coverage/timeline", **DAY, border="line-a")
    (only,) = border["borders"]
    per_hour = [sum(s["by_step"][h] for s in only["sections"]) for h in range(24)]
    # The balloon is down from 10:00 to 11:00 (the patrol moves on, so no two hours are equal).
    assert per_hour[10] < min(per_hour[9], per_hour[11]) - 30


# -- geometry for drawing --------------------------------------------------------------------


def geodesic_length(coords: list[list[float]]) -> float:
    lons, lats = zip(*coords, strict=True)
    return float(GEOD.line_length(lons, lats))


def test_each_stretch_carries_its_line_along_the_border(visible: Hub) -> None:
    found = visible.json("isf", "/api/v1/coverage", at=AT)
    borders = {f["id"]: f for f in visible.json("isf", "/api/v1/borders")["features"]}
    for border in found["borders"]:
        line = borders[border["id"]]["geometry"]["coordinates"]
        lengths = [g["length_m"] for g in border["gaps"]]
        assert lengths == sorted(lengths, reverse=True)
        assert border["covered_m"] + sum(lengths) == pytest.approx(border["length_m"], abs=0.5)
        starts = sorted([*border["gaps"], *border["covered"]], key=lambda s: s["from_m"])
        assert starts[0]["from_m"] == 0 and starts[-1]["to_m"] == border["length_m"]
        for stretch in [*border["gaps"], *border["covered"]]:
            coords = stretch["geometry"]["coordinates"]
            assert stretch["geometry"]["type"] == "LineString" and len(coords) >= 2
            assert geodesic_length(coords) == pytest.approx(stretch["length_m"], abs=0.2)
            if stretch["from_m"] == 0:
                assert coords[0] == pytest.approx(line[0], abs=1e-7)
            if stretch["to_m"] == border["length_m"]:
                assert coords[-1] == pytest.approx(line[-1], abs=1e-7)


def test_borders_are_shared_geography(visible: Hub) -> None:
    for party in ("isf", "syria", "pmf"):
        doc = visible.json(party, "/api/v1/borders")
        assert doc["type"] == "FeatureCollection"
        assert [f["id"] for f in doc["features"]] == ["line-a", "line-b"]
        a = doc["features"][0]
        assert a["properties"]["owner"] == "isf" and a["geometry"]["coordinates"][0] == [41.0, 34.0]
        assert 90_000 < a["properties"]["length_m"] < 110_000


# -- disclosure --------------------------------------------------------------------------------


def test_a_party_with_no_visible_sensor_sees_each_border_as_one_gap(visible: Hub) -> None:
    found = visible.json("pmf", "/api/v1/coverage", at=AT)  # nobody releases sensors to pmf
    assert found["sensors"] == []
    for border in found["borders"]:
        assert border["covered_m"] == 0 and border["covered"] == []
        (gap,) = border["gaps"]
        assert (gap["from_m"], gap["to_m"]) == (0, border["length_m"])
    timeline = visible.json("pmf", "/api/v1/coverage/timeline", **DAY)
    for border in timeline["borders"]:
        for section in border["sections"]:
            assert section["watched_min"] == 0 and section["blind_min"] == 1440.0
            assert set(section["by_step"]) == {0}


READS = [("/api/v1/borders", {}), ("/api/v1/coverage", {"at": AT}),
         ("/api/v1/coverage", {"at": "2017-09-18T07:30:00Z"}),
         ("/api/v1/coverage/timeline", DAY),
         ("/api/v1/coverage/timeline", {"from": "2017-09-18T07:00:00Z",
                                        "to": "2017-09-18T10:00:00Z", "step_min": "7",
                                        "section_km": "2"}),
         ("/api/v1/coverage/timeline", {**DAY, "border": "line-b"})]


@pytest.mark.parametrize(("path", "params"), READS, ids=[f"{p} {q}" for p, q in READS])
def test_a_hidden_sensor_changes_nothing_in_what_another_party_receives(
        visible: Hub, hidden: Hub, path: str, params: dict[str, str]) -> None:
    # isf: the radar is released to it `none`, the tower `area` (coalition sees the radar).
    with_it = hidden.get("isf", path, **params)
    without = visible.get("isf", path, **params)
    assert with_it.status_code == without.status_code == 200
    assert with_it.content == without.content
    assert not any(s in with_it.text for s in SECRETS)


def test_the_hidden_sensors_do_watch_the_borders(visible: Hub, hidden: Hub) -> None:
    """Otherwise the byte-for-byte test above would prove nothing: the truth differs, and so
    does the view of a party the sensors are released to."""
    def covered(hub: Hub) -> list[float]:
        truth = cli("--scenario", str(hub.scenario), "--at", AT)
        return [b["covered_m"] for b in truth["borders"]]

    assert all(h > v for h, v in zip(covered(hidden), covered(visible), strict=True))
    seen = hidden.json("coalition", "/api/v1/coverage", at=AT)  # syria releases to coalition
    assert "syr-secret-radar" in seen["sensors"]
    assert seen != visible.json("coalition", "/api/v1/coverage", at=AT)


# -- bad input ---------------------------------------------------------------------------------

BAD = [
    ("/api/v1/coverage", {"at": "yesterday"}, 422, "at"),
    ("/api/v1/coverage", {"at": "2017-09-18T10:00:00+02:00"}, 422, "at"),
    ("/api/v1/coverage/timeline", {"from": "2017-09-18"}, 422, "from"),
    ("/api/v1/coverage/timeline", {"to": "soon"}, 422, "to"),
    ("/api/v1/coverage/timeline", {"from": "2017-09-18T10:00:00Z",
                                   "to": "2017-09-18T09:00:00Z"}, 422, "to"),
    ("/api/v1/coverage/timeline", {"from": "2017-09-18T00:00:00Z",
                                   "to": "2017-09-20T00:00:01Z"}, 422, "to"),
    ("/api/v1/coverage/timeline", {"step_min": "0.5"}, 422, "step_min"),
    ("/api/v1/coverage/timeline", {"step_min": "1441"}, 422, "step_min"),
    ("/api/v1/coverage/timeline", {"step_min": "ten"}, 422, "step_min"),
    ("/api/v1/coverage/timeline", {"step_min": "nan"}, 422, "step_min"),
    ("/api/v1/coverage/timeline", {"section_km": "0"}, 422, "section_km"),
    ("/api/v1/coverage/timeline", {"section_km": "inf"}, 422, "section_km"),
    # 21 sections of 1 km on line-a, 2 on line-b, 1,440 one-minute steps: far too many cells.
    ("/api/v1/coverage/timeline", {"step_min": "1", "section_km": "1"}, 422, "step_min"),
    ("/api/v1/coverage/timeline", {"from": "9999-12-31T23:00:00Z"}, 422, "to"),
    ("/api/v1/coverage/timeline", {"to": "0001-01-01T06:00:00Z"}, 422, "from"),
    ("/api/v1/coverage/timeline", {"border": "no-such-line"}, 404, "border"),
]


@pytest.mark.parametrize(("path", "params", "status", "field"), BAD,
                         ids=[f"{p} {q}" for p, q, _, _ in BAD])
def test_bad_input_names_the_field(visible: Hub, path: str, params: dict[str, str], status: int,
                                   field: str) -> None:
    reply = visible.get("isf", path, **params)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["field"] == field and error["message"]
    assert error["code"] == ("not_found" if status == 404 else "invalid")


def test_the_cell_bound_is_the_one_documented(visible: Hub) -> None:
    reply = visible.get("isf", "/api/v1/coverage/timeline", step_min="1", section_km="1")
    assert f"{MAX_TIMELINE_CELLS:,}" in reply.json()["error"]["message"]


def test_reads_need_a_credential(visible: Hub) -> None:
    for path in ("/api/v1/borders", "/api/v1/coverage", "/api/v1/coverage/timeline"):
        assert visible.client.get(path).status_code == 401


times = st.one_of(st.sampled_from(["2017-09-18T00:00:00Z", "2017-09-18T23:59:59.5Z",
                                   "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "x", ""]),
                  st.datetimes(timezones=st.none()).map(lambda t: t.isoformat() + "Z"))
numbers = st.one_of(st.floats().map(str), st.integers(-10, 3000).map(str), st.text(max_size=4))


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(params=st.fixed_dictionaries({}, optional={"from": times, "to": times,
                                                 "step_min": numbers, "section_km": numbers,
                                                 "border": st.sampled_from(["line-a", "z"])}),
       at=times)
def test_no_query_gives_a_server_error(visible: Hub, params: dict[str, str], at: str) -> None:
    for path, query in (("/api/v1/coverage/timeline", params), ("/api/v1/coverage", {"at": at})):
        reply = visible.get("isf", path, **query)
        assert reply.status_code in (200, 404, 422), reply.text
        if reply.status_code != 200:
            assert set(reply.json()["error"]) >= {"code", "message", "field"}
