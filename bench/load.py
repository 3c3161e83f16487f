"""Benchmark ``load``: a 100,000-unit scenario file, read and validated, then stored in SQLite.

The same scenario is written as YAML and as JSON in a temporary folder. Each run loads the file
with ``load_scenario`` (parse + validate into model values) and stores the result with
``open_store(path).replace_scenario(scenario)`` in a fresh database; both phases are timed, and
their sum is the "load + store" time. The baselines only parse the same text: ``json.loads`` and
PyYAML's C ``CSafeLoader``, the fastest plain parsers at hand.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml

from bench.harness import Row, Scale, Section, Target, Timing, time_calls
from bench.synthetic import scenario_of, spread_cloud
from deconflict.interop.scenario import dump_scenario, load_scenario, scenario_to_document
from deconflict.model import Scenario, Unit
from deconflict.storage import open_store

__all__ = ["FORMATS", "SIZES", "TARGET", "TARGET_UNITS", "LoadSizes", "run"]

TARGET = Target(10.0)
#: The issue sets the target for a file of this many units; smaller runs show none.
TARGET_UNITS = 100_000
FORMATS = ("yaml", "json")


@dataclass(frozen=True, slots=True)
class LoadSizes:
    units: int
    repeats: int
    budget_s: float  # no new run of a measurement once its runs took this long together


SIZES = {
    Scale.FULL: LoadSizes(100_000, 3, 20.0),
    Scale.QUICK: LoadSizes(10_000, 3, 10.0),
    Scale.TINY: LoadSizes(500, 1, 0.0),
}


@dataclass(frozen=True, slots=True)
class _Runs:
    """Load and store samples of one format, run by run, and what the last run produced."""

    load: Timing
    store: Timing
    loaded: Scenario
    stored: tuple[Unit, ...]

    @property
    def together(self) -> Timing:
        return Timing(tuple(a + b for a, b in zip(self.load.samples, self.store.samples,
                                                  strict=True)))


def run(scale: Scale) -> Section:
    size = SIZES[scale]
    scenario = scenario_of(spread_cloud(size.units, seed=20), seed=21)
    rows: list[Row] = []
    unexplained = 0
    with tempfile.TemporaryDirectory(prefix="deconflict-bench-") as tmp:
        for fmt in FORMATS:
            path = Path(tmp) / f"scenario.{fmt}"
            path.write_text(_text(scenario, fmt), encoding="utf-8")
            label = f"{size.units:,} units, {fmt.upper()} {path.stat().st_size / 2**20:.1f} MiB"
            runs = _engine_runs(path, Path(tmp), size)
            same = runs.loaded.units == scenario.units == runs.stored
            unexplained += 0 if same else 1
            rows += _engine_rows(label, runs, same)
            rows.append(_baseline_row(label, path, fmt, size))
    return Section("load", rows, unexplained)


def _text(scenario: Scenario, fmt: str) -> str:
    """The scenario file's text. YAML goes through libyaml's emitter: the project's own YAML
    writer is pure Python and would spend half a minute on 100,000 units before anything is
    measured; the document and its layout (flow lists, quoted times) are the same."""
    if fmt == "json":
        return dump_scenario(scenario, "json")
    return yaml.dump(scenario_to_document(scenario), Dumper=yaml.CSafeDumper, sort_keys=False,
                     width=100, default_flow_style=None, allow_unicode=True)


def _engine_runs(path: Path, folder: Path, size: LoadSizes) -> _Runs:
    loads: list[float] = []
    stores: list[float] = []
    for k in range(max(1, size.repeats)):
        if k and sum(loads) + sum(stores) >= size.budget_s:
            break
        load, loaded = time_calls(lambda: load_scenario(path), 1)
        db = folder / f"{path.suffix[1:]}-{k}.db"
        store, _ = time_calls(partial(_store, loaded, db), 1)
        loads += load.samples
        stores += store.samples
    return _Runs(Timing(tuple(loads)), Timing(tuple(stores)), loaded, _read_back(db))


def _store(scenario: Scenario, db: Path) -> None:
    """Store the scenario in a fresh database and close it (the write is durable then)."""
    store = open_store(db)
    try:
        store.replace_scenario(scenario)
    finally:
        store.close()


def _read_back(db: Path) -> tuple[Unit, ...]:
    """The units the last run stored, read back (not timed)."""
    store = open_store(db, create=False)
    try:
        return store.scenario().units
    finally:
        store.close()


def _engine_rows(label: str, runs: _Runs, same: bool) -> list[Row]:
    n = len(runs.loaded.units)
    check = "file → model → SQLite round trip equal" if same else "**round trip differs**"
    return [
        Row("load", label, "engine: load_scenario (parse + validate)", runs.load, n, check=check),
        Row("load", label, "engine: store (open_store + replace_scenario)", runs.store,
            len(runs.stored), check=check),
        Row("load", label, "engine: load + store", runs.together, n,
            TARGET if n == TARGET_UNITS else None),
    ]


def _baseline_row(label: str, path: Path, fmt: str, size: LoadSizes) -> Row:
    if fmt == "json":
        name, parse = "baseline json.loads", lambda: json.loads(path.read_text(encoding="utf-8"))
    else:
        name = "baseline yaml CSafeLoader"
        parse = lambda: yaml.load(path.read_text(encoding="utf-8"),  # noqa: E731
                                  Loader=yaml.CSafeLoader)
    timing, doc = time_calls(parse, size.repeats, size.budget_s)
    return Row("load", label, f"{name} (parse only)", timing, len(doc.get("units", [])))
