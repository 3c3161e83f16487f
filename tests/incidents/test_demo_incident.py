"""The demo's incident: a strike beside the SDF at Khasham after a Russian notice that the SDF
and the coalition had acknowledged. Its bundle shows who knew what and when, and verifies."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from deconflict.demo import StepResult, run_demo
from deconflict.ledger.verify import verify_document


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[StepResult], str]:
    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    results = run_demo(folder / "demo.sqlite", Console(file=out, width=400, color_system=None))
    return folder, results, out.getvalue()


def _bundle(demo: tuple[Path, list[StepResult], str]) -> dict[str, Any]:
    folder, _, _ = demo
    (path,) = folder.glob("*.bundle.json")
    bundle: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return bundle


def test_the_acknowledged_notice_with_who_acknowledged_it_and_when(
        demo: tuple[Path, list[StepResult], str]) -> None:
    report = _bundle(demo)["incident"]
    assert report["incident"]["reported_by"] == "sdf"
    assert report["incident"]["time"] == "2017-09-18T08:05:00Z"
    strike = next(n for n in report["notices"] if n["id"] == "russia-strike-khasham")
    assert strike["state"] == "acknowledged" and strike["covers_point"] is True
    assert strike["filed"] == "2017-09-18T07:00:00Z" and strike["filed_before_incident"]
    assert [(a["party"], a["answer"], a["time"], a["before_incident"])
            for a in strike["answers"]] == [
        ("sdf", "acknowledge", "2017-09-18T07:15:00Z", True),
        ("coalition", "acknowledge", "2017-09-18T07:15:00Z", True)]
    # What Russia was told when it filed: SDF forces, critical, under 5 km, never their ids.
    told = strike["told"]["russia"]
    assert {"rule": "R-UNIT", "party": "sdf", "distance_band": "1–5 km",
            "severity": "critical"} in told
    assert not any("target" in t and t["rule"] == "R-UNIT" for t in told)
    assert "sdf-khasham" in [u["id"] for u in report["units"]]
    (line,) = report["lines"]
    assert line["side_party"] == "sdf"
    assert {"from": "sdf", "to": "russia", "level": "area"} in report["disclosure"]


def test_the_timeline_puts_the_acknowledgements_before_the_strike(
        demo: tuple[Path, list[StepResult], str]) -> None:
    timeline = _bundle(demo)["incident"]["timeline"]
    steps = [(e["time"][11:16], e["when"], e["actor"], e["event"]) for e in timeline]
    strike = steps.index(("08:05", "at", "", "incident"))
    assert ("07:00", "before", "russia", "notice filed") in steps[:strike]
    assert ("07:15", "before", "sdf", "notice acknowledged") in steps[:strike]
    assert ("07:15", "before", "coalition", "notice acknowledged") in steps[:strike]
    assert ("08:15", "after", "sdf", "incident reported") in steps[strike:]


def test_the_bundle_verifies_and_its_entries_are_the_ones_cited(
        demo: tuple[Path, list[StepResult], str]) -> None:
    bundle = _bundle(demo)
    verdict = verify_document(bundle)
    assert verdict.ok, verdict.describe()
    proved = {i["entry"]["index"]: i["entry"] for i in bundle["items"]}
    strike = next(n for n in bundle["incident"]["notices"]
                  if n["id"] == "russia-strike-khasham")
    kinds = [proved[i]["kind"] for i in strike["ledger"]]
    assert kinds.count("notice.acknowledge") == 2 and "notice" in kinds
    text = json.dumps(bundle)
    changed = text.replace('"notice.acknowledge"', '"notice.acknowledgd"', 1)
    assert not verify_document(json.loads(changed)).ok


def test_the_demo_shows_the_incident_and_where_its_report_is(
        demo: tuple[Path, list[StepResult], str]) -> None:
    folder, results, shown = demo
    flat = shown.replace("\n", "")
    assert "Incident sdf-incident-1 reported by sdf" in shown
    assert "sdf acknowledged at 07:15Z, coalition acknowledged at 07:15Z" in flat
    (page,) = folder.glob("*.report.html")
    assert str(page) in flat and str(folder / "sdf-incident-1.bundle.json") in flat
    html = page.read_text(encoding="utf-8")
    assert "russia-strike-khasham" in html and "<script" not in html.lower()
    assert sum(r.incident is not None for r in results) == 1


def test_any_changed_value_of_the_evidence_fails_verification(
        demo: tuple[Path, list[StepResult], str]) -> None:
    bundle = _bundle(demo)
    leaves = list(_leaves({"checkpoint": bundle["checkpoint"], "items": bundle["items"]}, ()))
    assert len(leaves) > 100
    for path, value in leaves:
        changed = copy.deepcopy(bundle)
        holder = changed
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = _changed(value)
        assert not verify_document(changed).ok, path


def _leaves(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _leaves(inner, (*path, i))
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield path, value


def _changed(value: str | int | float) -> str | int | float:
    """One character (or unit) different."""
    if not isinstance(value, str):
        return value + 1
    spots = [i for i, c in enumerate(value) if c.isalnum()] or [0]
    i = spots[len(spots) // 2]
    swap = "1" if value[i:i + 1] != "1" else "2"
    return value[:i] + swap + value[i + 1:]
