"""``deconflict coverage``: the spec's JSON exactly, on the demo and on random valid scenarios;
time ranges, details, the store, and bad input (exit 2, the field named, nothing written)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deconflict.cli import main
from deconflict.engine.coverage import coverage_of, sights_at
from deconflict.interop.scenario import write_scenario
from deconflict.model import Party, PartyKind, Scenario
from tests.coverage.cases import random_case

DEMO = Path(__file__).resolve().parents[2] / "src/deconflict/demo/euphrates-2017.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_spec_shape(doc: dict[str, Any]) -> None:
    """``{"borders": [{"id", "length_m", "covered_m", "gaps": [{"from_m", "to_m"}]}]}``."""
    assert set(doc) == {"borders"}
    for border in doc["borders"]:
        assert set(border) == {"id", "length_m", "covered_m", "gaps"}
        assert isinstance(border["id"], str)
        assert all(isinstance(border[k], int | float) for k in ("length_m", "covered_m"))
        lengths = []
        for gap in border["gaps"]:
            assert set(gap) == {"from_m", "to_m"}
            assert 0 <= gap["from_m"] < gap["to_m"] <= border["length_m"]
            lengths.append(gap["to_m"] - gap["from_m"])
        assert lengths == sorted(lengths, reverse=True)  # gaps longest first
        assert border["covered_m"] + sum(lengths) == pytest.approx(border["length_m"], abs=1.0)


def test_demo_json_is_exactly_the_spec() -> None:
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert_spec_shape(doc)
    (border,) = doc["borders"]
    assert border["id"] == "iq-sy-south" and 599_000 < border["length_m"] < 600_000
    assert 0 < border["covered_m"] < border["length_m"]


def test_demo_at_another_time_shows_the_outage() -> None:
    def covered(at: str) -> float:
        code, out, _ = run("coverage", "--scenario", str(DEMO), "--at", at, "--format", "json")
        assert code == 0
        return float(json.loads(out)["borders"][0]["covered_m"])

    assert covered("2017-09-18T10:00:00Z") < covered("2017-09-18T08:00:00Z") - 50_000


@pytest.mark.parametrize("seed", [1, 5, 9])
def test_random_valid_scenarios_print_the_engines_answer(tmp_path: Path, seed: int) -> None:
    case = random_case(seed, sensors=6)
    scenario = Scenario(datetime(2017, 9, 18, 6, tzinfo=UTC),
                        parties=(Party("p", "Party", PartyKind.STATE),),
                        sensors=tuple(case.sensors), borders=(case.border,))
    path = tmp_path / "random.json"
    write_scenario(scenario, path)
    code, out, _ = run("coverage", "--scenario", str(path), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert_spec_shape(doc)
    assert doc == {"borders": [coverage_of(case.border, sights_at(case.sensors,
                                                                  scenario.time)).to_dict()]}


def test_table_output_names_the_border_and_its_gaps() -> None:
    code, out, _ = run("coverage", "--scenario", str(DEMO))
    assert code == 0
    assert "iq-sy-south" in out and "km" in out and "gap" in out


def test_detail_is_a_superset_with_sensors_and_sections() -> None:
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--detail", "--format", "json",
                       "--section-km", "50")
    assert code == 0
    doc = json.loads(out)
    assert doc["time"] == "2017-09-18T06:00:00Z"
    (border,) = doc["borders"]
    assert {"id", "length_m", "covered_m", "gaps"} <= set(border)
    assert border["owner"] == "isf"
    ids = {s["id"] for s in border["sensors"]}
    assert {"iq-balloon-qaim", "iq-patrol-qaim-south"} <= ids
    assert len(border["sections"]) == 12
    assert sum(s["covered_m"] for s in border["sections"]) == pytest.approx(
        border["covered_m"], abs=1.0)
    sides = {s["nearest"]["left"]["party"] for s in border["sections"]
             if s["nearest"]["left"] is not None}
    assert "isf" in sides  # Iraq is east of a border drawn north to south: its left
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--detail", "--section-km", "50")
    assert code == 0 and "by section" in out


def test_a_time_range_reports_minutes_per_section() -> None:
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--from", "2017-09-18T06:00:00Z",
                       "--to", "2017-09-18T12:00:00Z", "--step-min", "15", "--section-km", "25",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["from"], doc["to"], doc["step_min"], doc["section_m"]) == (
        "2017-09-18T06:00:00Z", "2017-09-18T12:00:00Z", 15.0, 25_000.0)
    (border,) = doc["borders"]
    sections = border["sections"]
    assert all(0 <= s["watched_min"] <= 360 and s["full_min"] + s["blind_min"] <= 360.05
               for s in sections)
    # The aerostat watches km 375-400 whole but for its outage (09:10-11:30): 220 minutes.
    # Km 425-450 has nothing else: blind for exactly the 140 minutes of the outage.
    by_start = {s["from_m"]: s for s in sections}
    assert by_start[375_000]["full_min"] == pytest.approx(220, abs=0.1)
    assert by_start[425_000]["blind_min"] == pytest.approx(140, abs=0.1)
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--from", "2017-09-18T06:00:00Z",
                       "--to", "2017-09-18T12:00:00Z")
    assert code == 0 and "watched" in out


def test_coverage_reads_a_store(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    assert run("load", str(DEMO), "--db", str(db))[0] == 0
    code, out, _ = run("coverage", "--db", str(db), "--at", "2017-09-18T10:00:00Z",
                       "--format", "json")
    assert code == 0
    from_db = json.loads(out)
    code, out, _ = run("coverage", "--scenario", str(DEMO), "--at", "2017-09-18T10:00:00Z",
                       "--format", "json")
    assert from_db == json.loads(out)


@pytest.mark.parametrize(("args", "words"), [
    (["--from", "2017-09-18T06:00:00Z"], "to"),
    (["--to", "2017-09-18T06:00:00Z"], "from"),
    (["--at", "2017-09-18T06:00:00Z", "--from", "2017-09-18T06:00:00Z", "--to",
      "2017-09-18T07:00:00Z"], "not both"),
    (["--from", "2017-09-18T07:00:00Z", "--to", "2017-09-18T06:00:00Z"], "end after"),
    (["--from", "2017-09-18T06:00:00Z", "--to", "2017-09-18T07:00:00Z", "--step-min", "0"],
     "step"),
    (["--at", "yesterday"], "RFC 3339"),
    (["--section-km", "0", "--detail"], "section"),
])
def test_bad_options_exit_2_naming_the_problem(args: list[str], words: str) -> None:
    code, _, err = run("coverage", "--scenario", str(DEMO), *args)
    assert code == 2 and words in err


def test_a_bad_scenario_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO.read_text(encoding="utf-8").replace("range_m: 8000", "range_m: -8000", 1),
                   encoding="utf-8")
    code, out, err = run("coverage", "--scenario", str(bad), "--format", "json")
    assert code == 2 and out == ""
    assert "sensors[0].range_m" in err and "negative" in err
    assert "Traceback" not in err
