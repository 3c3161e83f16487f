"""The demo's replay: one morning on the Euphrates, step by step, as the hub sees it.

A :class:`Step` says what happens at a moment: position reports that arrive, and notices or
protected movements that a party files (taken by id from the scenario file, where they are held
back until their step). :func:`replay` applies the steps to a store and returns, for each, what
the hub decides: the verdict on each notice filed, every conflict with its rule, party, distance
and severity, what the notifier is told, and the separation alerts that are new or changed.
Nothing here prints; :mod:`deconflict.demo.render` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from deconflict.engine import Screener, separation_findings, verdict_of
from deconflict.model import (
    Conflict,
    DisclosureLevel,
    Fix,
    Notice,
    Position,
    Rule,
    Scenario,
    SeparationFinding,
    Severity,
    Verdict,
)
from deconflict.storage import Store

__all__ = [
    "BANDS_KM",
    "STEPS",
    "Finding",
    "Screening",
    "Step",
    "StepResult",
    "distance_band",
    "finding_label",
    "held_back",
    "replay",
    "rules_fired",
]

#: Upper bounds (km) of the distance bands a notifier is told when the target is not released.
BANDS_KM = (1.0, 3.0, 5.0, 10.0, 25.0)

#: Separation level of each unordered pair of unit ids at the previous step.
Levels = dict[frozenset[str], Severity]

#: Position reports arriving during the morning are trusted until the evening.
_EVENING = datetime(2017, 9, 18, 18, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Step:
    """What happens at ``at``: position reports arrive and ids from the scenario file are filed."""

    at: datetime
    title: str
    story: str
    fixes: tuple[tuple[str, Fix], ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the hub found: a notice's conflict, or two units in separation (rule SEP).

    ``source`` is the notice screened or the first unit of the pair; ``target`` what it meets.
    ``told`` is what the hub releases: to the notifier, or for SEP the alert both sides get.
    """

    rule: Rule
    source: str
    source_party: str
    target: str
    party: str
    distance_km: float
    severity: Severity | None
    told: str


@dataclass(frozen=True, slots=True)
class Screening:
    """The hub's answer to one notice filed at a step."""

    notice: str
    party: str
    kind: str
    name: str
    verdict: Verdict
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class StepResult:
    """What the hub decided at one step: the notices filed then, and the separation changes."""

    at: datetime
    title: str
    story: str
    filed: tuple[str, ...]
    screenings: tuple[Screening, ...]
    separation: tuple[Finding, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of the step: screening conflicts first, then separation alerts."""
        return (*(f for s in self.screenings for f in s.findings), *self.separation)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2017, 9, 18, hour, minute, tzinfo=UTC)


def _fix(lon: float, lat: float, at: datetime, radius_m: float) -> Fix:
    return Fix(Position(lon, lat), at, radius_m, _EVENING)


# Unit positions below are estimates, placed relative to the sourced points of the scenario file
# (Deir ez-Zor city 40.14084,35.33588 and Khasham 40.28916,35.30088, places.csv).
STEPS: tuple[Step, ...] = (
    Step(_at(6), "Morning picture loaded",
         "The hub opens the day with the positions each party reported at 05:30, the agreed "
         "Euphrates line, the At Tanf zone and the protected sites the aid agencies notified. "
         "No operation is on file yet."),
    Step(_at(6, 30), "Syrian troops cross to the east bank",
         "Syria files its river crossing east of Deir ez-Zor as the first boats land: the assault "
         "group now reports from the east bank, the side the line gives to the SDF.",
         fixes=(("syria-bridging-group", _fix(40.215, 35.332, _at(6, 30), 1000)),),
         files=("sy-crossing",)),
    Step(_at(7), "Russia files an air strike near Khasham",
         "Russia notifies a strike on IS fighters who fled across the river, one kilometre west "
         "of Khasham, for 07:30 to 08:30.",
         files=("ru-strike-khasham",)),
    Step(_at(7, 30), "The coalition files a surveillance flight",
         "The coalition notifies a flight over its partners east of the river, down to the "
         "al-Omar field, from 07:45.",
         files=("co-isr-flight",)),
    Step(_at(8), "Aid convoy to East Harasta notified",
         "The Red Crescent, with the ICRC and the UN, notifies the route of a convoy from "
         "Damascus to East Harasta for 09:00 to 14:00, and files the movement itself.",
         files=("harasta-convoy", "sarc-convoy-harasta")),
    Step(_at(8, 30), "Syrian artillery notice at East Harasta",
         "Syria notifies artillery fire on the eastern edge of Harasta, where the convoy's route "
         "ends, for 09:30 to 10:30.",
         files=("sy-artillery-harasta",)),
    Step(_at(9), "Forces converge on Khasham",
         "The Syrian assault group pushes east along the bank and its Russian team follows.",
         fixes=(("syria-bridging-group", _fix(40.240, 35.323, _at(9), 1000)),
                ("russia-sof-dez", _fix(40.236, 35.327, _at(9), 500)))),
    Step(_at(9, 30), "Syrian troops at the edge of Khasham",
         "The assault group reports a position under three kilometres from the SDF company at "
         "Khasham.",
         fixes=(("syria-bridging-group", _fix(40.262, 35.312, _at(9, 30), 1000)),)),
    Step(_at(10), "Russia files strikes on al-Mayadeen",
         "Russia notifies strikes on IS headquarters in al-Mayadeen, on the river's west bank, "
         "for 10:30 to 11:30.",
         files=("ru-strike-mayadeen",)),
    Step(_at(10, 30), "Russia files a strike in the desert near At Tanf",
         "Russia notifies a strike on IS remnants in the desert north-north-east of At Tanf, "
         "with a wide five-kilometre effects radius.",
         files=("ru-strike-desert",)),
    Step(_at(11), "Iraqi artillery notice at Albu Kamal",
         "Iraqi forces notify artillery fire across the border on IS positions at the eastern "
         "edge of Albu Kamal, close to the al-Qaim crossing.",
         files=("isf-artillery-bukamal",)),
)


def held_back(steps: Iterable[Step]) -> frozenset[str]:
    """Ids of notices and sites that the steps file: absent from the opening picture."""
    return frozenset(i for step in steps for i in step.files)


def _without(scenario: Scenario, ids: frozenset[str]) -> Scenario:
    return replace(scenario,
                   notices=tuple(n for n in scenario.notices if n.id not in ids),
                   sites=tuple(s for s in scenario.sites if s.id not in ids))


def _with_filed(current: Scenario, source: Scenario, ids: Sequence[str]) -> Scenario:
    wanted = set(ids)
    return replace(current,
                   notices=(*current.notices, *(n for n in source.notices if n.id in wanted)),
                   sites=(*current.sites, *(s for s in source.sites if s.id in wanted)))


def distance_band(distance_m: float) -> str:
    """The coarse distance a party is told when the exact object is not released to it.

    >>> distance_band(800.0), distance_band(4200.0), distance_band(40000.0)
    ('under 1 km', '3–5 km', '25 km or more')
    """
    low = 0.0
    for high in BANDS_KM:
        if distance_m < high * 1000.0:
            return "under 1 km" if low == 0.0 else f"{low:g}–{high:g} km"
        low = high
    return f"{low:g} km or more"


def _told(conflict: Conflict, notice: Notice, scenario: Scenario) -> str:
    """What the notifier learns: agreed objects by name, forces and notices only as released."""
    km = f"{conflict.distance_m / 1000:.1f} km"
    if conflict.rule is Rule.UNIT:
        return _told_unit(conflict, notice, scenario)
    if conflict.rule is Rule.NOTICE:
        return f"a {conflict.party} operation {distance_band(conflict.distance_m)} away, same time"
    if conflict.rule is Rule.LINE:
        return f"reaches the {conflict.party} side of {conflict.target}"
    if conflict.rule is Rule.SITE:
        kind = next(s.kind.value for s in scenario.sites if s.id == conflict.target)
        return f"{conflict.party} {kind} {conflict.target} at {km}"
    return f"{conflict.party} zone {conflict.target} at {km}"


def _told_unit(conflict: Conflict, notice: Notice, scenario: Scenario) -> str:
    """A unit by id only where its owner releases it exactly; otherwise party and band."""
    if scenario.disclosure_level(conflict.party, notice.party) is DisclosureLevel.EXACT:
        return (f"{conflict.party} unit {conflict.target} at {conflict.distance_m / 1000:.1f} km "
                f"({conflict.severity})")
    band = distance_band(conflict.distance_m)
    return f"{conflict.party} forces {band} away ({conflict.severity})"


def _finding(conflict: Conflict, notice: Notice, scenario: Scenario) -> Finding:
    return Finding(conflict.rule, notice.id, notice.party, conflict.target, conflict.party,
                   conflict.distance_m / 1000.0, conflict.severity,
                   _told(conflict, notice, scenario))


def _screen(screener: Screener, notice: Notice) -> Screening:
    conflicts = screener.screen(notice)
    found = tuple(_finding(c, notice, screener.scenario) for c in conflicts)
    return Screening(notice.id, notice.party, notice.kind.value, notice.name,
                     verdict_of(conflicts), found)


def _separation_finding(pair: SeparationFinding, parties: dict[str, str]) -> Finding:
    a, b = parties[pair.a], parties[pair.b]
    return Finding(Rule.SEPARATION, pair.a, a, pair.b, b, pair.distance_m / 1000.0, pair.level,
                   f"{a} and {b}, {distance_band(pair.distance_m)} apart")


def _changed(findings: Sequence[SeparationFinding], before: Levels) -> list[SeparationFinding]:
    """Separation pairs that are new or whose level moved since the previous step."""
    return [f for f in findings if before.get(frozenset((f.a, f.b))) is not f.level]


def _separation_alerts(now: Scenario, before: Levels) -> tuple[tuple[Finding, ...], Levels]:
    pairs = separation_findings(now)
    parties = {u.id: u.party for u in now.units}
    alerts = tuple(_separation_finding(p, parties) for p in _changed(pairs, before))
    return alerts, {frozenset((p.a, p.b)): p.level for p in pairs}


def _apply(step: Step, source: Scenario, store: Store) -> Scenario:
    """Write the step's reports and filings to the store; read back the picture at its time."""
    if step.fixes:
        store.add_fixes(list(step.fixes))
    if step.files:
        store.replace_scenario(_with_filed(store.scenario(), source, step.files))
    store.set_time(step.at)
    return store.scenario(at=step.at)


def _play(step: Step, source: Scenario, store: Store, before: Levels) -> tuple[StepResult, Levels]:
    now = _apply(step, source, store)
    screener = Screener(now)
    filed = {n.id: n for n in now.notices if n.id in step.files}
    screenings = tuple(_screen(screener, filed[i]) for i in step.files if i in filed)
    alerts, levels = _separation_alerts(now, before)
    return StepResult(step.at, step.title, step.story, step.files, screenings, alerts), levels


def replay(scenario: Scenario, store: Store, steps: Sequence[Step] = STEPS) -> list[StepResult]:
    """Load ``scenario`` (minus what the steps file later) into ``store`` and play the steps."""
    store.replace_scenario(_without(scenario, held_back(steps)).at(steps[0].at))
    before: Levels = {}
    results = []
    for step in steps:
        result, before = _play(step, scenario, store, before)
        results.append(result)
    return results


def rules_fired(results: Iterable[StepResult]) -> set[str]:
    """Labels of every rule that fired; R-UNIT and SEP carry their severity (``"SEP critical"``)."""
    return {finding_label(f) for result in results for f in result.findings}


def finding_label(finding: Finding) -> str:
    if finding.rule in (Rule.UNIT, Rule.SEPARATION) and finding.severity is not None:
        return f"{finding.rule.value} {finding.severity.value}"
    return finding.rule.value
