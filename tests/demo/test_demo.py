"""The demo: the packaged scenario, the replay's findings, ``run_demo`` on a real SQLite file."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import tempfile
from importlib import resources
from pathlib import Path

import pytest
from rich.console import Console
from shapely.geometry import Point

from deconflict.demo import (
    SCENARIO_FILE,
    STEPS,
    StepResult,
    load_demo_scenario,
    replay,
    rules_fired,
    run_demo,
)
from deconflict.engine.geodesy import distance_m
from deconflict.engine.sides import sides_reached
from deconflict.model import DisclosureLevel, Rule, Scenario, Severity, Shape, Side, Zone
from deconflict.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
ALL_RULES = {"R-UNIT warn", "R-UNIT critical", "R-SITE", "R-ZONE", "R-LINE", "R-NOTICE",
             "SEP warn", "SEP critical"}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_demo_scenario()


@pytest.fixture(scope="module")
def results(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> list[StepResult]:
    store = open_store(tmp_path_factory.mktemp("demo") / "hub.sqlite")
    try:
        return replay(scenario, store)
    finally:
        store.close()


def _step(results: list[StepResult], title_start: str) -> StepResult:
    return next(r for r in results if r.title.startswith(title_start))


def _line(scenario: Scenario) -> Zone:
    return next(z for z in scenario.zones if z.id == "euphrates")


def _side_party(scenario: Scenario, lon: float, lat: float) -> set[str]:
    line = _line(scenario)
    point = Shape(Point(lon, lat))
    sides = sides_reached(point, 0.0, line.shape.geometry, distance_m(point, line.shape))
    return {p for side in sides if (p := line.side_party(side)) is not None}


def test_the_packaged_yaml_loads(scenario: Scenario) -> None:
    assert scenario.name == "Euphrates, September 2017"
    assert {"coalition", "sdf", "russia", "syria", "isf", "is", "sarc"} <= {
        p.id for p in scenario.parties}
    kinds = {z.id: z.kind.value for z in scenario.zones}
    assert kinds == {"tanf-55km": "zone", "euphrates": "line"}
    assert scenario.borders and len(scenario.sensors) >= 3


def test_every_id_the_steps_use_is_in_the_scenario(scenario: Scenario) -> None:
    units = {u.id for u in scenario.units}
    filed = {n.id for n in scenario.notices} | {s.id for s in scenario.sites}
    for step in STEPS:
        assert {unit for unit, _ in step.fixes} <= units, step.title
        assert set(step.files) <= filed, step.title
    assert [s.at for s in STEPS] == sorted(s.at for s in STEPS)


def test_every_rule_fires_during_the_replay(results: list[StepResult]) -> None:
    assert rules_fired(results) >= ALL_RULES


def test_the_opening_picture_is_quiet(results: list[StepResult]) -> None:
    assert results[0].findings == ()


def test_russian_strike_near_khasham_is_critical_for_the_sdf(results: list[StepResult]) -> None:
    (screening,) = _step(results, "Russia files an air strike near Khasham").screenings
    assert screening.verdict.value == "conflict"
    unit_hits = {(f.target, f.severity) for f in screening.findings if f.rule is Rule.UNIT}
    assert ("sdf-khasham", Severity.CRITICAL) in unit_hits
    assert ("sdf-conoco", Severity.WARN) in unit_hits
    assert any(f.rule is Rule.LINE and f.party == "sdf" for f in screening.findings)


def test_the_notifier_is_never_told_a_withheld_unit(scenario: Scenario,
                                                     results: list[StepResult]) -> None:
    units = {u.id for u in scenario.units}
    checked = 0
    for result in results:
        for screening in result.screenings:
            for f in screening.findings:
                released = scenario.disclosure_level(f.party, f.source_party)
                if f.rule is Rule.UNIT and released is not DisclosureLevel.EXACT:
                    assert not any(u in f.told for u in units), f.told
                    checked += 1
    assert checked >= 2


def test_the_convoy_is_clear_and_the_artillery_then_hits_its_route(
        results: list[StepResult]) -> None:
    convoy = _step(results, "Aid convoy").screenings
    assert [s.verdict.value for s in convoy] == ["clear"]
    (artillery,) = _step(results, "Syrian artillery notice at East Harasta").screenings
    assert {(f.rule, f.target) for f in artillery.findings} >= {
        (Rule.SITE, "sarc-harasta-route"), (Rule.NOTICE, "sarc-convoy-harasta")}


def test_forces_converging_on_khasham_go_from_warn_to_critical(results: list[StepResult]) -> None:
    warn = _step(results, "Forces converge").separation
    critical = _step(results, "Syrian troops at the edge of Khasham").separation
    assert warn and all(f.severity is Severity.WARN for f in warn)
    assert any(f.severity is Severity.CRITICAL and {f.source, f.target} ==
               {"syria-bridging-group", "sdf-khasham"} for f in critical)


@pytest.mark.parametrize(("place", "lon", "lat", "party"), [
    ("Deir ez-Zor city (west bank)", 40.14084, 35.33588, "syria"),
    ("Deir ez-Zor airport (west bank)", 40.17583, 35.28528, "syria"),
    ("al-Mayadeen (west bank)", 40.45154, 35.01982, "syria"),
    ("Albu Kamal (west bank)", 40.91854, 34.45226, "syria"),
    ("al-Omar field (east bank)", 40.57583, 35.15167, "sdf"),
    ("Khasham (east bank)", 40.28916, 35.30088, "sdf"),
    ("Conoco field (east bank)", 40.30944, 35.33611, "sdf"),
])
def test_the_euphrates_line_puts_each_bank_on_the_right_side(
        scenario: Scenario, place: str, lon: float, lat: float, party: str) -> None:
    assert _side_party(scenario, lon, lat) == {party}, place


def test_the_line_runs_downstream_with_sdf_on_the_left(scenario: Scenario) -> None:
    line = _line(scenario)
    coords = list(line.shape.geometry.coords)
    assert coords[0][1] > coords[-1][1] and coords[0][0] < coords[-1][0]  # north-west to south-east
    assert line.side_party(Side.LEFT) == "sdf" and line.side_party(Side.RIGHT) == "syria"


def test_run_demo_writes_a_sqlite_file_and_shows_every_step(tmp_path: Path) -> None:
    out = io.StringIO()
    db = tmp_path / "demo.sqlite"
    results = run_demo(db, Console(file=out, width=140, color_system=None))
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    text = out.getvalue()
    for step in STEPS:
        assert step.title in text
    for label in ALL_RULES:
        assert label.split()[0] in text
    assert str(db) in text.replace("\n", "")
    assert len(results) == len(STEPS)
    stored = open_store(db)
    try:
        notices = {n.id for n in stored.scenario().notices}
    finally:
        stored.close()
    assert notices == {n.id for n in load_demo_scenario().notices}


def test_run_demo_without_a_path_uses_a_new_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = io.StringIO()
    run_demo(None, Console(file=out, width=400, color_system=None))
    (db,) = tmp_path.glob("deconflict-demo-*/*.sqlite")
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"
    assert str(db) in out.getvalue()


# --- The scenario file against the project's reference data and its sources -------------------

_PLACE = re.compile(r"\[(-?[\d.]+), (-?[\d.]+)\].*# places\.csv ([^(]+?) \(")
_RIVER = re.compile(r"- \[(-?[\d.]+), (-?[\d.]+)\]\s+# (\d+) ")


def _yaml_text() -> str:
    return resources.files("deconflict.demo").joinpath(SCENARIO_FILE).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    path = SHARED / "data" / name
    if not path.exists():
        pytest.skip(f"reference data {path} not present")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_cited_places_match_places_csv() -> None:
    places = {r["name"]: (float(r["lon"]), float(r["lat"])) for r in _rows("places.csv")}
    cited = _PLACE.findall(_yaml_text())
    assert len(cited) >= 10
    for lon, lat, cited_name in cited:
        # A csv name may carry its own parenthesis: "al-Qaim border crossing (Husaybah)".
        (name,) = [n for n in places if n == cited_name or n.startswith(f"{cited_name} (")]
        assert (float(lon), float(lat)) == pytest.approx(places[name], abs=1e-6), name


def test_river_vertices_match_euphrates_csv() -> None:
    river = {int(r["order"]): (float(r["lon"]), float(r["lat"])) for r in _rows("euphrates.csv")}
    cited = _RIVER.findall(_yaml_text())
    assert [int(n) for *_, n in cited] == list(range(6, 16))
    for lon, lat, order in cited:
        assert (float(lon), float(lat)) == pytest.approx(river[int(order)], abs=1e-6)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_no_sentence_is_copied_from_the_seed_reports() -> None:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed reports not present")
    ours = " ".join(_words(_yaml_text() + (ROOT / "src/deconflict/demo/timeline.py").read_text()
                           + (ROOT / "docs/demo.md").read_text(encoding="utf-8")))
    for seed in seeds:
        words = _words(seed.read_text(encoding="utf-8"))
        for i in range(len(words) - 7):
            assert " ".join(words[i:i + 8]) not in ours, (seed.name, words[i:i + 8])
