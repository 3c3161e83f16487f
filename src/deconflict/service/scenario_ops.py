"""Use cases: one function per user action. Adapters (CLI, API, demo) call these and render.

Scenario-level commands see the whole truth, as an administrator does; party-level views go
through the server, which applies the disclosure rules.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deconflict.engine import screen_notices, separation_findings, verdict_of
from deconflict.errors import ValidationError
from deconflict.interop.scenario import load_scenario
from deconflict.model import Conflict, Notice, Scenario, SeparationFinding, rfc3339
from deconflict.service import ledger
from deconflict.storage import open_store

__all__ = [
    "LoadSummary",
    "NoticeScreening",
    "ScreeningReport",
    "SeparationReport",
    "load_into_store",
    "read_scenario",
    "screen",
    "separation",
]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class LoadSummary:
    db: str
    scenario: str
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"db": self.db, "scenario": self.scenario, "counts": self.counts}


@dataclass(frozen=True, slots=True)
class NoticeScreening:
    notice: Notice
    conflicts: tuple[Conflict, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.notice.id, "verdict": verdict_of(self.conflicts).value,
                "conflicts": [c.to_dict() for c in self.conflicts]}


@dataclass(frozen=True, slots=True)
class ScreeningReport:
    time: datetime
    notices: tuple[NoticeScreening, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"time": rfc3339(self.time), "notices": [n.to_dict() for n in self.notices]}


@dataclass(frozen=True, slots=True)
class SeparationReport:
    time: datetime
    pairs: tuple[SeparationFinding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"time": rfc3339(self.time), "pairs": [p.to_dict() for p in self.pairs]}


def _counts(scenario: Scenario) -> dict[str, int]:
    names = ("parties", "relations", "disclosure", "units", "areas", "zones", "sites", "notices",
             "sensors", "borders")
    return {name: len(getattr(scenario, name)) for name in names}


def _public_counts(scenario: Scenario) -> dict[str, int]:
    """The counts every party may read in the load's ledger entry: of what every party is shown
    (parties, sites, zones and lines); how many units, notices or sensors the others hold is
    theirs to disclose."""
    return {name: n for name, n in _counts(scenario).items() if name in _PUBLIC_COUNTS}


_PUBLIC_COUNTS = frozenset({"parties", "sites", "zones"})


def load_into_store(scenario_path: PathLike, db_path: PathLike) -> LoadSummary:
    """Validate a scenario file, then replace the store's whole state with it in one transaction."""
    scenario = load_scenario(scenario_path)
    digest = hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
    store = open_store(db_path)
    try:
        with store.atomic():  # the ledger keeps its history across loads, and notes this one
            store.replace_scenario(scenario)
            ledger.record(store, ledger.HUB, "scenario.load", scenario.name,
                          {"name": scenario.name, "time": scenario.time,
                           "counts": _public_counts(scenario), "sha256": digest},
                          audience=[ledger.ALL], at=datetime.now(UTC))
    finally:
        store.close()
    return LoadSummary(os.fspath(db_path), scenario.name, _counts(scenario))


def read_scenario(scenario_path: PathLike | None = None, db_path: PathLike | None = None,
                  at: datetime | None = None) -> Scenario:
    """The hub's state from a scenario file or a store, optionally moved to another moment."""
    if (scenario_path is None) == (db_path is None):
        raise ValidationError("give exactly one of a scenario file or a database", field="scenario")
    if scenario_path is not None:
        scenario = load_scenario(scenario_path)
        return scenario if at is None else scenario.at(at)
    assert db_path is not None
    store = open_store(db_path, create=False)
    try:
        return store.scenario(at)
    finally:
        store.close()


def screen(scenario: Scenario, notice_ids: Sequence[str] = ()) -> ScreeningReport:
    """Screen the scenario's notices (or those named) against everything in it."""
    found = screen_notices(scenario, list(notice_ids) or None)
    return ScreeningReport(scenario.time, tuple(NoticeScreening(n, tuple(c)) for n, c in found))


def separation(scenario: Scenario) -> SeparationReport:
    """Every pair of non-partner units in warn or critical separation at the scenario's time."""
    return SeparationReport(scenario.time, tuple(separation_findings(scenario)))
