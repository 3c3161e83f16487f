"""The command line: JSON contracts of the spec, exit statuses, nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from deconflict.cli import main

SMALL = Path(__file__).parent / "cli" / "small.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_screen_json_follows_the_contract() -> None:
    code, out, _ = run("screen", "--scenario", str(SMALL), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["time"] == "2017-09-18T06:00:00Z"
    by_id = {n["id"]: n for n in doc["notices"]}
    assert by_id["co-flight"] == {"id": "co-flight", "verdict": "clear", "conflicts": []}
    strike = by_id["ru-strike-1"]
    assert strike["verdict"] == "conflict"
    unit = next(c for c in strike["conflicts"] if c["rule"] == "R-UNIT")
    assert set(unit) == {"rule", "target", "party", "distance_m", "severity"}
    assert (unit["target"], unit["party"], unit["severity"]) == ("sdf-1", "sdf", "warn")
    assert any(c["rule"] == "R-SITE" and c["target"] == "clinic" for c in strike["conflicts"])


def test_screen_one_notice_and_unknown_notice() -> None:
    code, out, _ = run("screen", "--scenario", str(SMALL), "--notice", "co-flight",
                       "--format", "json")
    assert code == 0 and [n["id"] for n in json.loads(out)["notices"]] == ["co-flight"]
    code, _, err = run("screen", "--scenario", str(SMALL), "--notice", "nope")
    assert code == 2 and "nope" in err and "Traceback" not in err


def test_separation_json_follows_the_contract() -> None:
    code, out, _ = run("separation", "--scenario", str(SMALL), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["time"] == "2017-09-18T06:00:00Z"
    assert doc["pairs"] and set(doc["pairs"][0]) == {"a", "b", "distance_m", "level"}
    pair = doc["pairs"][0]
    assert (pair["a"], pair["b"]) == ("sdf-1", "syr-1") and pair["level"] == "warn"


def test_separation_at_a_later_time_drops_stale_units() -> None:
    code, out, _ = run("separation", "--scenario", str(SMALL), "--at", "2017-09-19T06:00:00Z",
                       "--format", "json")
    assert code == 0 and json.loads(out)["pairs"] == []


def test_bad_at_names_the_option() -> None:
    code, _, err = run("separation", "--scenario", str(SMALL), "--at", "yesterday")
    assert code == 2 and "--at" in err


def test_load_then_screen_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    code, out, _ = run("load", str(SMALL), "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(out)["counts"]["units"] == 3
    code, from_db, _ = run("screen", "--db", str(db), "--format", "json")
    _, from_file, _ = run("screen", "--scenario", str(SMALL), "--format", "json")
    assert code == 0 and json.loads(from_db) == json.loads(from_file)


def test_bad_scenario_exits_2_names_file_and_field_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("[40.25, 35.36]", "[40.25, 95.36]"))
    db = tmp_path / "hub.db"
    code, _, err = run("load", str(bad), "--db", str(db))
    assert code == 2
    assert "bad.yaml" in err and "units[1].position" in err and "Traceback" not in err
    assert not db.exists()


def test_missing_database_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    code, _, err = run("screen", "--db", str(tmp_path / "none.db"))
    assert code != 0 and "none.db" in err
    assert not (tmp_path / "none.db").exists()


def test_scenario_and_db_together_is_bad_input(tmp_path: Path) -> None:
    code, _, err = run("screen", "--scenario", str(SMALL), "--db", str(tmp_path / "x.db"))
    assert code == 2 and "scenario" in err


def test_console_script_table_output() -> None:
    exe = Path(sys.executable).with_name("deconflict")
    proc = subprocess.run([str(exe), "screen", "--scenario", str(SMALL)], capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 0
    assert "ru-strike-1" in proc.stdout and "R-UNIT" in proc.stdout
