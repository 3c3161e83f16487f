"""``deconflict incident`` run as a real process on a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deconflict.cli import main
from deconflict.ledger.verify import verify_document

from .world import load, running_hub

EXE = Path(sys.executable).with_name("deconflict")
AT = ("--at", "40.05,35.1", "--time", "2017-09-18T08:00:00Z")


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "hub.db"
    load(path)
    with running_hub(path):
        pass
    return path


def test_json_is_the_whole_truth_bundle_and_it_verifies(db: Path, tmp_path: Path) -> None:
    done = cli("incident", "--db", db, *AT, "--radius-m", "3000", "--format", "json")
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    assert verify_document(bundle).ok, verify_document(bundle).describe()
    report = bundle["incident"]
    assert report["view"]["scope"] == "whole truth" and report["incident"]["id"] is None
    assert "green-op" in [n["id"] for n in report["notices"]]
    assert {"blue-near", "green-near", "red-own"} <= {u["id"] for u in report["units"]}
    saved = tmp_path / "bundle.json"
    saved.write_text(done.stdout, encoding="utf-8")
    if "ledger" in main.commands:  # type: ignore[attr-defined]
        assert cli("ledger", "verify", saved).returncode == 0
        tampered = done.stdout.replace('"kind": "notice.loaded"', '"kind": "notice.lodged"', 1)
        assert tampered != done.stdout
        saved.write_text(tampered, encoding="utf-8")
        failed = cli("ledger", "verify", saved)
        assert failed.returncode != 0 and "items[" in failed.stdout + failed.stderr


def test_html_to_a_file_and_a_table_on_stdout(db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    done = cli("incident", "--db", db, *AT, "--format", "html", "-o", page)
    assert done.returncode == 0 and done.stdout == ""
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text.lower()
    table = cli("incident", "--db", db, *AT)
    assert table.returncode == 0 and "who knew what" in table.stdout
    assert "red-cover" in table.stdout


@pytest.mark.parametrize(("args", "named"), [
    (("--at", "40.05", "--time", "2017-09-18T08:00:00Z"), "--at"),
    (("--at", "40.05,95", "--time", "2017-09-18T08:00:00Z"), "--at"),
    (("--at", "40.05,35.1", "--time", "08:00"), "--time"),
    (("--at", "40.05,35.1", "--time", "2017-09-18T08:00:00Z", "--radius-m", "60000"),
     "--radius-m"),
    (("--at", "40.05,35.1", "--time", "2017-09-18T08:00:00Z", "--format", "pdf"), "--format"),
])
def test_bad_input_exits_2_naming_the_option(db: Path, args: tuple[str, ...],
                                             named: str) -> None:
    done = cli("incident", "--db", db, *args)
    assert done.returncode == 2 and named in done.stderr and "Traceback" not in done.stderr


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    done = cli("incident", "--db", missing, *AT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not missing.exists()
