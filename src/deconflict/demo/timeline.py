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
from typing import Any, cast

from deconflict.engine import separation_findings, verdict_of
from deconflict.engine.disclosure import distance_band as engine_band
from deconflict.interop.documents import notice_to_document, site_to_document
from deconflict.model import (
    AnswerKind,
    Credential,
    Fix,
    Notice,
    Position,
    Role,
    Rule,
    Scenario,
    SeparationFinding,
    Severity,
    Verdict,
)
from deconflict.service.clock import FixedClock
from deconflict.service.coverage import check_watch_voids
from deconflict.service.detections import DetectionReport, ingest_detections
from deconflict.service.hub import Hub
from deconflict.service.incidents import incident_bundle, make_query, report_incident
from deconflict.service.notices import answer_notice, file_notice
from deconflict.service.positions import PositionReport, check_separation, report_positions
from deconflict.service.sites import notify_site
from deconflict.storage import Store

__all__ = [
    "STEPS",
    "Answer",
    "Finding",
    "IncidentReport",
    "Screening",
    "Step",
    "StepResult",
    "finding_label",
    "held_back",
    "replay",
    "rules_fired",
]

#: Position reports arriving during the morning are trusted until the evening.
_EVENING = datetime(2017, 9, 18, 18, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Answer:
    """A party the notice touches acknowledges (or objects to) it."""

    party: str
    notice: str
    kind: AnswerKind = AnswerKind.ACKNOWLEDGE
    comment: str = ""


@dataclass(frozen=True, slots=True)
class IncidentReport:
    """A party reports an event that happened at ``time`` near ``(lon, lat)``."""

    party: str
    lon: float
    lat: float
    time: datetime
    radius_m: float
    description: str


@dataclass(frozen=True, slots=True)
class Step:
    """What happens at ``at``: position reports arrive and ids from the scenario file are filed;
    parties answer notices; a party reports an incident."""

    at: datetime
    title: str
    story: str
    fixes: tuple[tuple[str, Fix], ...] = ()
    files: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = ()
    incident: IncidentReport | None = None
    #: Detections by border sensors, reported by each sensor's party.
    detections: tuple[DetectionReport, ...] = ()


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
    answers: tuple[Answer, ...] = ()
    #: The incident's evidence bundle as an investigator gets it (the whole truth).
    incident: dict[str, Any] | None = None
    #: Crossing alerts raised by the step's detections, as the detecting party is told them.
    crossings: tuple[dict[str, Any], ...] = ()
    #: Watch-void alerts the border's owner got at this step (an outage opened long gaps).
    voids: tuple[dict[str, Any], ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of the step: screening conflicts first, then separation alerts."""
        return (*(f for s in self.screenings for f in s.findings), *self.separation)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2017, 9, 18, hour, minute, tzinfo=UTC)


def _fix(lon: float, lat: float, at: datetime, radius_m: float) -> Fix:
    return Fix(Position(lon, lat), at, radius_m, _EVENING)


def _seen(sensor: str, lon: float, lat: float, at: datetime, uncertainty_m: float
          ) -> DetectionReport:
    """A sighting of people on foot by a border sensor (positions are estimates)."""
    return DetectionReport(sensor, at, Position(lon, lat), uncertainty_m, "people")


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
         files=("syria-crossing",)),
    Step(_at(7), "Russia files an air strike near Khasham",
         "Russia notifies a strike on IS fighters who fled across the river, one kilometre west "
         "of Khasham, for 07:30 to 08:30.",
         files=("russia-strike-khasham",)),
    Step(_at(7, 15), "The SDF and the coalition acknowledge the Khasham strike notice",
         "Both parties whose forces the Russian notice touches confirm through the hub that they "
         "received it. An acknowledgement records receipt and awareness, not consent.",
         answers=(Answer("sdf", "russia-strike-khasham", comment="received; company holds at "
                         "Khasham"),
                  Answer("coalition", "russia-strike-khasham", comment="received"))),
    Step(_at(7, 30), "The coalition files a surveillance flight",
         "The coalition notifies a flight over its partners east of the river, down to the "
         "al-Omar field, from 07:45.",
         files=("coalition-isr-flight",)),
    Step(_at(8), "Aid convoy to East Harasta notified",
         "The Red Crescent, with the ICRC and the UN, notifies the route of a convoy from "
         "Damascus to East Harasta for 09:00 to 14:00, and files the movement itself.",
         files=("sarc-harasta-route", "sarc-convoy-harasta")),
    Step(_at(8, 15), "Bombs fall beside the SDF company at Khasham",
         "At 08:05 a strike lands a few hundred metres from the SDF company at Khasham, inside "
         "the window and volume of the Russian notice both the SDF and the coalition had "
         "acknowledged. The SDF reports the incident; the hub correlates it with what it knew "
         "and writes the evidence bundle for an investigator.",
         incident=IncidentReport("sdf", 40.2875, 35.3015, _at(8, 5), 2000.0,
                                 "Air strike on our company's positions west of Khasham")),
    Step(_at(8, 30), "Syrian artillery notice at East Harasta",
         "Syria notifies artillery fire on the eastern edge of Harasta, where the convoy's route "
         "ends, for 09:30 to 10:30.",
         files=("syria-artillery-harasta",)),
    Step(_at(9), "Forces converge on Khasham",
         "The Syrian assault group pushes east along the bank and its Russian team follows.",
         fixes=(("syria-bridging-group", _fix(40.240, 35.323, _at(9), 1000)),
                ("russia-sof-dez", _fix(40.236, 35.327, _at(9), 500)))),
    Step(_at(9, 10), "High winds bring down the Iraqi aerostat south of al-Qaim",
         "The tethered balloon that watches the border on both sides of the Euphrates crossing "
         "is winched down until 11:30. Its towers, cameras and the vehicle patrol still see "
         "their own short stretches; the hub tells Iraq, the border's owner, which stretches "
         "nobody of its own now watches."),
    Step(_at(9, 30), "Syrian troops at the edge of Khasham",
         "The assault group reports a position under three kilometres from the SDF company at "
         "Khasham.",
         fixes=(("syria-bridging-group", _fix(40.262, 35.312, _at(9, 30), 1000)),)),
    Step(_at(10), "Russia files strikes on al-Mayadeen",
         "Russia notifies strikes on IS headquarters in al-Mayadeen, on the river's west bank, "
         "for 10:30 to 11:30.",
         files=("russia-strike-mayadeen",)),
    Step(_at(10, 30), "Russia files a strike in the desert near At Tanf",
         "Russia notifies a strike on IS remnants in the desert north-north-east of At Tanf, "
         "with a wide five-kilometre effects radius.",
         files=("russia-strike-desert",)),
    Step(_at(10, 45), "Iraqi sensors see a group cross from Abu Kamal towards al-Qaim",
         "The thermal camera at the al-Qaim crossing picks up a group of about twenty people "
         "leaving Abu Kamal towards the border at 10:30 and 10:35; at 10:45 the tower at "
         "Husaybah sees them on the Iraqi side. Iraq reports the detections; the hub joins "
         "them into one track and alerts the border's owner to the crossing.",
         detections=(_seen("iq-thermal-qaim", 40.960, 34.418, _at(10, 30), 150.0),
                     _seen("iq-thermal-qaim", 40.975, 34.405, _at(10, 35), 150.0),
                     _seen("iq-tower-husaybah", 41.002, 34.380, _at(10, 45), 100.0))),
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


def _officer(party: str, moment: datetime) -> Credential:
    """The demo acts for each party as its liaison officer would through the API."""
    return Credential(f"demo-{party}", party, Role.LIAISON, f"{party} liaison", moment)


def _told(view: dict[str, object]) -> str:
    """What the notifier reads: the target only where released, else a party and a band."""
    rule, party = view["rule"], view["party"]
    where = (f"{view['target']} at {float(str(view['distance_m'])) / 1000:.1f} km"
             if "target" in view else f"{view['distance_band']} away")
    severity = f" ({view['severity']})" if "severity" in view else ""
    noun = {"R-UNIT": "forces", "R-SITE": "protected site", "R-ZONE": "zone",
            "R-LINE": "side of the line", "R-NOTICE": "operation"}.get(str(rule), "object")
    return f"{party} {noun}: {where}{severity}"


def _file_notice(hub: Hub, notice: Notice) -> Screening:
    """File a notice through the hub's use case, as the notifying party."""
    officer = _officer(notice.party, hub.now())
    filing, view = file_notice(hub, officer, notice_to_document(notice))
    told = cast(list[dict[str, object]], view["conflicts"])
    found = tuple(
        Finding(c.rule, notice.id, notice.party, c.target, c.party, c.distance_m / 1000.0,
                c.severity, _told(t)) for c, t in zip(filing.conflicts, told, strict=True))
    return Screening(notice.id, notice.party, notice.kind.value, notice.name,
                     verdict_of(filing.conflicts), found)


def _separation_finding(pair: SeparationFinding, parties: dict[str, str]) -> Finding:
    a, b = parties[pair.a], parties[pair.b]
    return Finding(Rule.SEPARATION, pair.a, a, pair.b, b, pair.distance_m / 1000.0, pair.level,
                   f"{a} and {b}, {engine_band(pair.distance_m)} apart")


def _separation_alerts(hub: Hub) -> tuple[Finding, ...]:
    """Pairs whose level changed, as the hub alerted them to both sides."""
    alerts = check_separation(hub)
    scenario = hub.scenario()
    parties = {u.id: u.party for u in scenario.units}
    alerted = {str(a.payload["unit"]) for a in alerts}
    pairs = [p for p in separation_findings(scenario) if p.a in alerted or p.b in alerted]
    levels = {(str(a.payload["unit"]), str(a.payload["level"])) for a in alerts}
    changed = [p for p in pairs if (p.a, p.level.value) in levels or (p.b, p.level.value) in levels]
    return tuple(_separation_finding(p, parties) for p in changed)


def _report(hub: Hub, fixes: Sequence[tuple[str, Fix]]) -> None:
    by_party: dict[str, list[PositionReport]] = {}
    for unit_id, fix in fixes:
        party = next(u.party for u in hub.scenario().units if u.id == unit_id)
        by_party.setdefault(party, []).append(PositionReport(unit_id, fix))
    for party, reports in by_party.items():
        report_positions(hub, _officer(party, hub.now()), reports)


def _answer(hub: Hub, answer: Answer) -> None:
    answer_notice(hub, _officer(answer.party, hub.now()), answer.notice, answer.kind,
                  answer.comment)


def _incident(hub: Hub, report: IncidentReport) -> dict[str, Any]:
    """File the incident as its party, then take the bundle an investigator is handed."""
    query = make_query(report.lon, report.lat, report.time, report.radius_m)
    incident, _ = report_incident(hub, _officer(report.party, hub.now()), query,
                                  report.description)
    investigator = Credential("demo-investigator", report.party, Role.ADMIN,
                              "board of inquiry", hub.now())
    return incident_bundle(hub, investigator, incident.id)


def _detect(hub: Hub, source: Scenario, reports: Sequence[DetectionReport]
            ) -> tuple[dict[str, Any], ...]:
    """Each sensor's party reports its detections; the crossings the hub alerted, as told."""
    by_party: dict[str, list[DetectionReport]] = {}
    for report in reports:
        party = next(s.party for s in source.sensors if s.id == report.sensor)
        by_party.setdefault(party, []).append(report)
    told: list[dict[str, Any]] = []
    for party, batch in by_party.items():
        done = ingest_detections(hub, _officer(party, hub.now()), batch)
        told += [t for t in done.told if t["kind"] == "crossing"]
    return tuple(told)


def _play(step: Step, source: Scenario, hub: Hub) -> StepResult:
    _report(hub, step.fixes)
    screenings = []
    for ident in step.files:
        site = next((x for x in source.sites if x.id == ident), None)
        if site is not None:
            notify_site(hub, _officer(site.party, hub.now()), site_to_document(site))
        else:
            screenings.append(_file_notice(hub, source.notice(ident)))
    for answer in step.answers:
        _answer(hub, answer)
    bundle = None if step.incident is None else _incident(hub, step.incident)
    crossings = _detect(hub, source, step.detections)
    voids = tuple(a.payload for a in check_watch_voids(hub))
    return StepResult(step.at, step.title, step.story, step.files, tuple(screenings),
                      _separation_alerts(hub), step.answers, bundle, crossings=crossings,
                      voids=voids)


def replay(scenario: Scenario, store: Store, steps: Sequence[Step] = STEPS) -> list[StepResult]:
    """Load ``scenario`` (minus what the steps file later) into ``store`` and play the steps
    through the hub's own use cases, on a clock that jumps from step to step."""
    store.replace_scenario(_without(scenario, held_back(steps)).at(steps[0].at))
    clock = FixedClock(steps[0].at)
    hub = Hub(store, clock)
    results = []
    for step in steps:
        clock.moment = step.at
        results.append(_play(step, scenario, hub))
    store.set_time(steps[-1].at)
    return results


def rules_fired(results: Iterable[StepResult]) -> set[str]:
    """Labels of every rule that fired; R-UNIT and SEP carry their severity (``"SEP critical"``)."""
    return {finding_label(f) for result in results for f in result.findings}


def finding_label(finding: Finding) -> str:
    if finding.rule in (Rule.UNIT, Rule.SEPARATION) and finding.severity is not None:
        return f"{finding.rule.value} {finding.severity.value}"
    return finding.rule.value
