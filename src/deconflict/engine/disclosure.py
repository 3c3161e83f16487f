"""What a recipient may see: the one place the release rules are applied.

The hub sees everything; a party sees its own objects, what others released to it ``exact``, and
for ``area`` releases only a count per cell of a fixed grid — never a unit id or a point. Every read
path (lists, screening results, alerts, exports) goes through these functions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Polygon

from deconflict.model import (
    Area,
    Conflict,
    DisclosureLevel,
    Filing,
    Fix,
    Rule,
    Scenario,
    SeparationFinding,
    Unit,
)

__all__ = [
    "CELL_LAT_DEG",
    "Cell",
    "CellCount",
    "Picture",
    "cell_of",
    "distance_band",
    "picture_for",
    "told_conflict",
    "told_conflicts",
    "told_separation",
    "visible_areas",
    "visible_filing",
]

#: Height of a grid cell in degrees of latitude (22 km); widths grow towards the poles so that a
#: cell is at least 10 km across wherever it is.
CELL_LAT_DEG = 0.2
_BAND_EDGES_KM = ((1.0, "<1 km"), (5.0, "1–5 km"), (10.0, "5–10 km"), (25.0, "10–25 km"))


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell of the fixed release grid, by its south-west corner and size in degrees."""

    west: float
    south: float
    width: float
    height: float

    @property
    def key(self) -> str:
        return f"{self.south:.1f}:{self.west:.1f}"

    def polygon(self) -> Polygon:
        e, n = self.west + self.width, self.south + self.height
        return Polygon([(self.west, self.south), (e, self.south), (e, n), (self.west, n),
                        (self.west, self.south)])


def _cell_width(south: float) -> float:
    """Longitude step for the band starting at ``south``: a power-of-two multiple of the height."""
    worst = max(abs(south), abs(south + CELL_LAT_DEG))
    if worst >= 89.0:
        return 360.0
    factor = 1.0 / math.cos(math.radians(worst)) / 1.1
    width = CELL_LAT_DEG * 2 ** max(0, math.ceil(math.log2(max(factor, 1.0))))
    return float(min(width, 360.0))


def cell_of(lon: float, lat: float) -> Cell:
    """The release cell holding a point; every point of a cell maps to the same cell.

    >>> cell_of(40.236, 35.352).key == cell_of(40.3, 35.39).key
    True
    """
    row = min(math.floor((lat + 90.0) / CELL_LAT_DEG), round(180.0 / CELL_LAT_DEG) - 1)
    south = row * CELL_LAT_DEG - 90.0
    width = _cell_width(south)
    col = math.floor((lon + 180.0) / width)
    col = min(col, math.ceil(360.0 / width) - 1)
    return Cell(round(col * width - 180.0, 9), round(south, 9), width, CELL_LAT_DEG)


def distance_band(metres: float) -> str:
    """A coarse distance for a party that may not know the exact one.

    >>> distance_band(2310.4)
    '1–5 km'
    """
    km = metres / 1000.0
    for edge, label in _BAND_EDGES_KM:
        if km < edge:
            return label
    return "≥25 km"


@dataclass(frozen=True, slots=True)
class CellCount:
    cell: Cell
    party: str
    count: int


@dataclass(frozen=True, slots=True)
class Picture:
    """What one party sees of the units: exact positions and per-cell counts."""

    exact: tuple[tuple[Unit, Fix], ...]
    cells: tuple[CellCount, ...]


def picture_for(scenario: Scenario, viewer: str, moment: datetime | None = None) -> Picture:
    """Units live at ``moment`` (default: the scenario's time) as ``viewer`` may see them."""
    at = scenario.time if moment is None else moment
    exact: list[tuple[Unit, Fix]] = []
    counts: Counter[tuple[Cell, str]] = Counter()
    for unit in scenario.units:
        fix = unit.fix_at(at)
        if fix is None or not fix.live_at(at):
            continue
        level = scenario.disclosure_level(unit.party, viewer)
        if level is DisclosureLevel.EXACT:
            exact.append((unit, fix))
        elif level is DisclosureLevel.AREA:
            counts[(cell_of(fix.position.lon, fix.position.lat), unit.party)] += 1
    cells = tuple(CellCount(c, p, n) for (c, p), n in sorted(
        counts.items(), key=lambda kv: (kv[0][0].key, kv[0][1])))
    return Picture(tuple(exact), cells)


def visible_areas(scenario: Scenario, viewer: str) -> list[Area]:
    """Areas whose holder released its picture ``exact`` to the viewer (or its own)."""
    return [a for a in scenario.areas
            if scenario.disclosure_level(a.holder, viewer) is DisclosureLevel.EXACT]


def visible_filing(filing: Filing, viewer: str) -> bool:
    """A notice is shown to its party and to the parties it touches, nobody else.

    Filing a notice that overlaps another party's does not reveal that one: otherwise a large
    notice would read everybody's plans. The overlapped party is touched, so it sees the new one.
    """
    return viewer == filing.notice.party or viewer in filing.touched


def told_conflicts(conflicts: Iterable[Conflict], viewer: str, scenario: Scenario,
                   visible_notices: Sequence[str] | frozenset[str] = ()) -> list[dict[str, object]]:
    """Findings as ``viewer`` may see them: named ones first (in the engine's order), then one
    entry per distinct unnamed finding, in a fixed order that says nothing of exact distances
    or of how many hidden objects stand behind it."""
    named: list[dict[str, object]] = []
    unnamed: dict[tuple[str, ...], dict[str, object]] = {}
    for conflict in conflicts:
        told = told_conflict(conflict, viewer, scenario, visible_notices)
        if "target" in told:
            named.append(told)
        else:
            unnamed.setdefault(_unnamed_key(told), told)
    return named + [unnamed[k] for k in sorted(unnamed)]


def _unnamed_key(told: dict[str, object]) -> tuple[str, ...]:
    band = next(i for i, (_, label) in enumerate((*_BAND_EDGES_KM, (0.0, "≥25 km")))
                if label == told["distance_band"])
    rule = list(Rule).index(Rule(str(told["rule"])))
    return (f"{rule:02d}", f"{band:02d}", str(told["party"]), str(told.get("severity", "")))


def told_conflict(conflict: Conflict, viewer: str, scenario: Scenario,
                  visible_notices: Sequence[str] | frozenset[str] = ()) -> dict[str, object]:
    """A finding as ``viewer`` may see it: party, rule, distance band; the target only where
    it may be seen (a unit released ``exact``, a shared site/zone/line, a visible notice)."""
    told: dict[str, object] = {"rule": conflict.rule.value, "party": conflict.party,
                               "distance_band": distance_band(conflict.distance_m)}
    if conflict.severity is not None:
        told["severity"] = conflict.severity.value
    if _target_visible(conflict, viewer, scenario, visible_notices):
        told["target"] = conflict.target
        told["distance_m"] = round(conflict.distance_m, 1)
    return told


def _target_visible(conflict: Conflict, viewer: str, scenario: Scenario,
                    visible_notices: Sequence[str] | frozenset[str]) -> bool:
    if conflict.rule is Rule.UNIT:
        return scenario.disclosure_level(conflict.party, viewer) is DisclosureLevel.EXACT
    if conflict.rule is Rule.NOTICE:
        return conflict.target in visible_notices
    return True  # sites, zones and lines are notified to every party


def told_separation(finding: SeparationFinding, viewer: str, scenario: Scenario,
                    parties: dict[str, str]) -> dict[str, object] | None:
    """A separation alert for ``viewer`` (one of the two parties), or None if it is neither.

    The viewer learns its own unit, the other party, the level and a distance band; the other
    unit's id only when that party released it ``exact`` to the viewer.
    """
    pa, pb = parties[finding.a], parties[finding.b]
    if viewer not in (pa, pb):
        return None
    own, other = (finding.a, finding.b) if viewer == pa else (finding.b, finding.a)
    other_party = pb if viewer == pa else pa
    told: dict[str, object] = {"unit": own, "other_party": other_party,
                               "level": finding.level.value,
                               "distance_band": distance_band(finding.distance_m)}
    if scenario.disclosure_level(other_party, viewer) is DisclosureLevel.EXACT:
        told["other_unit"] = other
        told["distance_m"] = round(finding.distance_m, 1)
    return told
