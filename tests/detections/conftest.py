"""A border near al-Qaim / Abu Kamal watched by Iraqi sensors, and a hub serving it.

The border is the demo's straight stretch from al-Waleed to where the Euphrates meets it; going
along it (south-west to north-east) Syria is on the left, Iraq on the right. Iraq (``isf``)
releases its picture ``exact`` to the coalition and ``area`` to Syria, nothing to Russia.
Test points are placed with geographiclib from a point on the border's geodesic.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from geographiclib.geodesic import Geodesic

from deconflict.errors import ScenarioError
from deconflict.interop.scenario import parse_scenario
from deconflict.model import Role, parse_rfc3339
from deconflict.storage import open_store

from ..api.conftest import make_hub_db, run_client

WGS84 = Geodesic.WGS84
START = parse_rfc3339("2017-09-18T11:00:00Z")
BORDER_START = (38.930, 33.440)
BORDER_END = (41.00812, 34.42861)
THERMAL = "iq-thermal-qaim"
TOWER = "iq-tower-south"
SYRIAN_RADAR = "syr-radar-bk"
PARTIES = ("isf", "coalition", "syria", "russia")
LEVELS = {"coalition": "exact", "syria": "area", "russia": "none"}


def along_border(fraction: float) -> tuple[float, float]:
    line = WGS84.InverseLine(BORDER_START[1], BORDER_START[0], BORDER_END[1], BORDER_END[0])
    g = line.Position(line.s13 * fraction)
    return (g["lon2"], g["lat2"])


def border_azimuth(fraction: float) -> float:
    line = WGS84.InverseLine(BORDER_START[1], BORDER_START[0], BORDER_END[1], BORDER_END[0])
    return float(line.Position(line.s13 * fraction)["azi2"])


def moved(at: tuple[float, float], azimuth: float, metres: float) -> tuple[float, float]:
    g = WGS84.Direct(at[1], at[0], azimuth, metres)
    return (g["lon2"], g["lat2"])


CROSSING_POINT = along_border(0.97)  # about 19 km south-west of where the river meets it
TO_SYRIA = border_azimuth(0.97) - 90.0  # the left of the border's direction


def crossing_path() -> list[tuple[tuple[float, float], datetime]]:
    """A group walking from Syria into Iraq at about 5 m/s, seen every five minutes."""
    c = CROSSING_POINT
    return [(moved(c, TO_SYRIA, 2600), START - timedelta(minutes=20)),
            (moved(moved(c, TO_SYRIA, 1100), TO_SYRIA + 90, 300), START - timedelta(minutes=15)),
            (moved(c, TO_SYRIA + 180, 900), START - timedelta(minutes=10))]


def detection_body(at: tuple[float, float], when: datetime, sensor: str = THERMAL,
                   **extra: Any) -> dict[str, Any]:
    return {"sensor": sensor, "position": [at[0], at[1]],
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "uncertainty_m": 40.0, **extra}


def scenario_document(owner: str | None = None) -> dict[str, Any]:
    border: dict[str, Any] = {
        "id": "iq-sy", "name": "Iraq–Syria border, al-Waleed to al-Qaim",
        "geometry": {"type": "LineString", "coordinates": [list(BORDER_START),
                                                           list(BORDER_END)]}}
    if owner is not None:
        border["owner"] = owner
    return {
        "scenario": 1, "name": "Border test", "time": "2017-09-18T10:00:00Z",
        "parties": [{"id": "isf", "name": "Iraqi security forces", "kind": "state"},
                    {"id": "coalition", "name": "Coalition", "kind": "state"},
                    {"id": "syria", "name": "Syrian government forces", "kind": "state"},
                    {"id": "russia", "name": "Russian forces", "kind": "state"}],
        "relations": [{"a": "coalition", "b": "isf", "kind": "partner"}],
        "disclosure": [{"from": "isf", "to": p, "level": level} for p, level in LEVELS.items()
                       if level != "none"],
        "sensors": [
            {"id": THERMAL, "party": "isf", "kind": "thermal", "name": "Thermal at al-Qaim",
             "position": [40.98945, 34.39251], "range_m": 8000, "bearing_deg": 300,
             "fov_deg": 120},
            {"id": TOWER, "party": "isf", "kind": "tower", "name": "Tower south-west",
             "position": [40.50, 34.15], "range_m": 8000},
            {"id": SYRIAN_RADAR, "party": "syria", "kind": "radar", "name": "Radar at Abu Kamal",
             "position": [40.92, 34.46], "range_m": 15000}],
        "borders": [border],
    }


@functools.cache
def owner_supported() -> bool:
    """Whether a border's ``owner`` goes through the scenario format and the store yet (the
    coverage half of issue 6 adds it); tests that need it skip until then."""
    try:
        scenario = parse_scenario(yaml.safe_dump(scenario_document("coalition")))
    except ScenarioError:
        return False
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "probe.db")
        try:
            store.replace_scenario(scenario)
            stored = store.scenario()
        finally:
            store.close()
    return getattr(stored.borders[0], "owner", None) == "coalition"


def write_scenario(folder: Path, owner: str | None = None) -> Path:
    path = folder / "border.yaml"
    path.write_text(yaml.safe_dump(scenario_document(owner), allow_unicode=True),
                    encoding="utf-8")
    return path


@dataclass
class BorderHub:
    db: Path
    tokens: dict[str, str]
    client: TestClient

    def headers(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[party]}"}

    def post(self, party: str, detections: list[dict[str, Any]]) -> Any:
        return self.client.post("/api/v1/detections", json={"detections": detections},
                                headers=self.headers(party))

    def get(self, party: str, path: str, **params: str) -> Any:
        reply = self.client.get(path, params=params, headers=self.headers(party))
        assert reply.status_code == 200, reply.text
        return reply.json()


def make_border_db(tmp_path: Path, owner: str | None = None) -> tuple[Path, dict[str, str]]:
    roles = {p: Role.LIAISON for p in PARTIES}
    return make_hub_db(tmp_path, write_scenario(tmp_path, owner), roles=roles)


@pytest.fixture
def border_hub(tmp_path: Path) -> Iterator[BorderHub]:
    db, made = make_border_db(tmp_path)
    with run_client(db, at=START) as client:
        yield BorderHub(db, made, client)
