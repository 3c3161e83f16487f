"""Detections from sensors' parties: stored, associated into tracks, checked against borders.

A party reports what its own sensors saw (another party's sensor is as unknown as a made-up
id). The hub associates the batch into the party's open tracks (:mod:`deconflict.engine.tracks`),
finds where the grown tracks cross a border line (:mod:`deconflict.engine.crossing`) and raises a
``crossing`` alert to the detecting party and to the border's owner. Everything is written in
one transaction: detections, tracks, crossings and alerts last or vanish together.

Detections, tracks and sensors are released like units: a party sees its own; another party sees
them as their owner releases its picture to it (``exact``: everything; ``area``: a count per
cell of the release grid, nothing else; ``none``: nothing). A crossing alert to a border owner
that is not the detecting party obeys the same level: ``exact`` tells it all, ``area`` tells
the border, the sides and the cell, ``none`` raises no alert at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from deconflict.engine.crossing import DEFAULT_TOLERANCE_M, line_events, may_meet
from deconflict.engine.disclosure import Cell, CellCount, cell_of
from deconflict.engine.tracks import DEFAULT_GATE, Association, Gate, associate, state_at
from deconflict.errors import NotFoundError, ValidationError
from deconflict.model import (
    Alert,
    AlertKind,
    Border,
    Credential,
    DisclosureLevel,
    Position,
    Scenario,
    Sensor,
    rfc3339,
)
from deconflict.model.detection import Crossing, CrossingKind, Detection, Track, TrackState
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor

__all__ = [
    "LEDGER_COLUMNS",
    "DetectionReport",
    "Ingested",
    "Released",
    "TrackView",
    "crossing_view",
    "ingest_detections",
    "visible_detections",
    "visible_sensors",
    "visible_tracks",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DetectionReport:
    """One sighting as a party reports it; the hub names it and finds its track."""

    sensor: str
    time: datetime
    position: Position
    uncertainty_m: float = 0.0
    classification: str | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None


@dataclass(frozen=True, slots=True)
class Ingested:
    """What a batch became: the detections (in the order given), the track each joined, and
    the crossings and touches of border lines they completed (with their views)."""

    detections: tuple[Detection, ...]
    tracks: tuple[str, ...]
    crossings: tuple[Crossing, ...]
    told: tuple[dict[str, Any], ...]


def ingest_detections(hub: Hub, actor: Credential, reports: Sequence[DetectionReport], *,
                      gate: Gate = DEFAULT_GATE,
                      tolerance_m: float = DEFAULT_TOLERANCE_M) -> Ingested:
    """Store a batch of the caller's sensors' detections, durably, all or nothing."""
    with hub.lock:
        require_actor(actor, hub.now())
        _check_batch(hub, reports)
        scenario = hub.scenario()
        _check_sensors(scenario, actor.party, reports)
        detections, association = _associated(hub, actor.party, reports, gate)
        grown = _grown_tracks(hub, association, {d.id for d in detections}, scenario.borders)
        crossings = _crossings(grown, scenario.borders, tolerance_m)
        alerts = _crossing_alerts(hub, scenario, crossings, grown)
        with hub.store.atomic():
            hub.store.add_detections(detections, association.tracks, crossings)
            # One entry per batch, committing to its content: the detections stay withheld
            # from parties the owner does not release them to (as position reports do).
            ledger.record(hub, actor.party, "detections", actor.party,
                          _ledger_body(detections, association), withheld=True)
            raise_alerts(hub, alerts)
        held = dict(association.assigned)
        known = {d.id: d for g in grown for d in g.track.detections}
        return Ingested(tuple(detections), tuple(held[d.id] for d in detections),
                        tuple(crossings), tuple(crossing_view(c, known) for c in crossings))


def _check_batch(hub: Hub, reports: Sequence[DetectionReport]) -> None:
    if not reports:
        raise ValidationError("a batch needs at least one detection", field="detections")
    if len(reports) > hub.limits.max_batch:
        raise ValidationError(f"at most {hub.limits.max_batch} detections per batch",
                              field="detections")


def _associated(hub: Hub, party: str, reports: Sequence[DetectionReport], gate: Gate
                ) -> tuple[list[Detection], Association]:
    """The batch named (``<party>-det-<n>``, numbered per party) and associated into the
    party's open tracks, read from the store as heads only."""
    count, tracks = hub.store.detection_counts(party)
    detections = [_detection(r, i, f"{party}-det-{count + i + 1}", party)
                  for i, r in enumerate(reports)]
    numbers = iter(range(tracks + 1, tracks + len(reports) + 1))
    heads = hub.store.tracks([party], open_only=True, heads_only=True)
    association = associate(heads, detections, gate, lambda _: f"{party}-trk-{next(numbers)}")
    return detections, association


#: Columns of a batch's ledger entry, one row per detection.
LEDGER_COLUMNS = ("id", "sensor", "track", "lon", "lat", "time", "uncertainty_m")


def _ledger_body(detections: Sequence[Detection], association: Association) -> dict[str, Any]:
    track = dict(association.assigned)
    return {"columns": list(LEDGER_COLUMNS),
            "rows": [[d.id, d.sensor, track[d.id], d.position.lon, d.position.lat,
                      rfc3339(d.time), d.uncertainty_m] for d in detections]}


def _check_sensors(scenario: Scenario, party: str, reports: Sequence[DetectionReport]) -> None:
    """Each report names one of the caller's sensors; another party's is as unknown as none."""
    own = {s.id for s in scenario.sensors if s.party == party}
    for i, report in enumerate(reports):
        if report.sensor not in own:
            raise NotFoundError(f"no sensor {report.sensor!r} of {party}",
                                field=f"detections[{i}].sensor")


def _detection(report: DetectionReport, index: int, ident: str, party: str) -> Detection:
    try:
        return Detection(ident, report.sensor, party, report.time, report.position,
                         report.uncertainty_m, report.classification, report.heading_deg,
                         report.speed_mps)
    except ValueError as exc:
        name = str(exc).split(" ", 1)[0]  # the model's messages start with the field's name
        raise ValidationError(str(exc), field=f"detections[{index}].{name}") from None


@dataclass(frozen=True, slots=True)
class _Grown:
    """A track that took new detections: all of them now, and how many it had before."""

    track: Track
    before: int


def _grown_tracks(hub: Hub, association: Association, new: set[str],
                  borders: Sequence[Border]) -> list[_Grown]:
    """Tracks that took new detections. The association saw only their heads: tracks that may
    meet a border get their whole history from the store (crossings need the path before)."""
    out = []
    for track in association.tracks:
        fresh = [d for d in track.detections if d.id in new]
        if not fresh:
            continue  # only closed
        old = [d for d in track.detections if d.id not in new]
        if old and _near_any(track, borders):
            (stored,) = hub.store.tracks(ids=[track.id])
            old = list(stored.detections)
        out.append(_Grown(Track(track.id, track.party, (*old, *fresh), track.state), len(old)))
    return out


def _near_any(track: Track, borders: Iterable[Border]) -> bool:
    return any(may_meet(track.detections, b) for b in borders)


def _crossings(grown: Sequence[_Grown], borders: Sequence[Border], tolerance_m: float
               ) -> list[Crossing]:
    found: list[Crossing] = []
    for item in grown:
        tail = item.track.detections[max(0, item.before - 1):]
        for border in borders:
            if may_meet(tail, border, tolerance_m):
                found += line_events(item.track, border, tolerance_m, since=item.before)
    return sorted(found, key=lambda c: (c.time, c.track, c.border))


# -- alerts ------------------------------------------------------------------------------------

def crossing_view(crossing: Crossing, detections: dict[str, Detection]) -> dict[str, Any]:
    """A crossing as told to whoever may see the track: sensors, detections, time, place."""
    before, after = detections[crossing.before], detections[crossing.after]
    return {"border": crossing.border, "kind": crossing.kind.value, "track": crossing.track,
            "party": after.party, "sensor": after.sensor,
            "sensors": sorted({before.sensor, after.sensor}), "time": rfc3339(crossing.time),
            "position": [round(crossing.position.lon, 7), round(crossing.position.lat, 7)],
            "from_side": crossing.from_side.value, "to_side": crossing.to_side.value,
            "heading_deg": round(crossing.heading_deg, 1),
            "detections": [crossing.before, crossing.after]}


def _coarse_view(crossing: Crossing, party: str) -> dict[str, Any]:
    """For a border owner the detecting party releases its picture to at ``area``."""
    return {"border": crossing.border, "kind": crossing.kind.value, "party": party,
            "cell": cell_of(crossing.position.lon, crossing.position.lat).key,
            "from_side": crossing.from_side.value, "to_side": crossing.to_side.value,
            "disclosure": DisclosureLevel.AREA.value}


def _crossing_alerts(hub: Hub, scenario: Scenario, crossings: Sequence[Crossing],
                     grown: Sequence[_Grown]) -> list[Alert]:
    detections = {d.id: d for g in grown for d in g.track.detections}
    owners = {b.id: b.owner for b in scenario.borders}
    alerts = []
    for crossing in crossings:
        if crossing.kind is not CrossingKind.CROSSING:
            continue  # touches are recorded on the track, never alerted
        party = detections[crossing.after].party
        full = crossing_view(crossing, detections)
        alerts.append(alert(hub, party, AlertKind.CROSSING, **full))
        owner = owners.get(crossing.border) or party
        if owner == party:
            continue
        level = scenario.disclosure_level(party, owner)
        if level is DisclosureLevel.EXACT:
            alerts.append(alert(hub, owner, AlertKind.CROSSING, **full))
        elif level is DisclosureLevel.AREA:
            alerts.append(alert(hub, owner, AlertKind.CROSSING, **_coarse_view(crossing, party)))
    return alerts


# -- what a party may see ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Released(Generic[T]):
    """What one party sees of others' objects: exact ones, and counts per release cell."""

    exact: tuple[T, ...]
    cells: tuple[CellCount, ...]


def _release(items: Iterable[T], party_of: Callable[[T], str], where: Callable[[T], Position],
             scenario: Scenario, viewer: str) -> Released[T]:
    """The units' release rule (:func:`deconflict.engine.disclosure.picture_for`) applied to
    other objects: the owner's level to ``viewer`` decides; ``area`` counts per cell."""
    exact: list[T] = []
    counts: Counter[tuple[Cell, str]] = Counter()
    for item in items:
        party = party_of(item)
        level = scenario.disclosure_level(party, viewer)
        if level is DisclosureLevel.EXACT:
            exact.append(item)
        elif level is DisclosureLevel.AREA:
            p = where(item)
            counts[(cell_of(p.lon, p.lat), party)] += 1
    cells = tuple(CellCount(c, p, n) for (c, p), n in sorted(
        counts.items(), key=lambda kv: (kv[0][0].key, kv[0][1])))
    return Released(tuple(exact), cells)


def _seen_parties(hub: Hub, scenario: Scenario, viewer: str) -> list[str]:
    """Parties whose objects the viewer may see at all (its own included)."""
    parties = {viewer, *hub.party_ids()}
    return sorted(p for p in parties
                  if scenario.disclosure_level(p, viewer) is not DisclosureLevel.NONE)


def visible_detections(hub: Hub, actor: Credential, since: datetime | None = None
                       ) -> Released[Detection]:
    """Detections observed at or after ``since``, as the caller may see them."""
    with hub.lock:
        scenario = hub.scenario()
        found = hub.store.detections(_seen_parties(hub, scenario, actor.party), since)
        return _release(found, lambda d: d.party, lambda d: d.position, scenario, actor.party)


@dataclass(frozen=True, slots=True)
class TrackView:
    """A track with its state at the hub's "now" and its crossings and touches."""

    track: Track
    state: TrackState
    crossings: tuple[Crossing, ...]


def visible_tracks(hub: Hub, actor: Credential, since: datetime | None = None, *,
                   gate: Gate = DEFAULT_GATE) -> Released[TrackView]:
    """Tracks last seen at or after ``since``, as the caller may see them; ``area`` counts
    tracks still open at the hub's "now", by the cell of their last detection."""
    with hub.lock:
        now, scenario = hub.now(), hub.scenario()
        found = hub.store.tracks(_seen_parties(hub, scenario, actor.party), since=since)
        views = [TrackView(t, state_at(t, now, gate), ()) for t in found]
        shown = _release([v for v in views if _counted(v, scenario, actor.party)],
                         lambda v: v.track.party, lambda v: v.track.head.position, scenario,
                         actor.party)
        crossings = hub.store.crossings([v.track.id for v in shown.exact])
    by_track: dict[str, list[Crossing]] = {}
    for c in crossings:
        by_track.setdefault(c.track, []).append(c)
    exact = tuple(TrackView(v.track, v.state, tuple(by_track.get(v.track.id, ())))
                  for v in shown.exact)
    return Released(exact, shown.cells)


def _counted(view: TrackView, scenario: Scenario, viewer: str) -> bool:
    """Exact releases list every track; area counts only live ones, as for units."""
    level = scenario.disclosure_level(view.track.party, viewer)
    return level is DisclosureLevel.EXACT or view.state is not TrackState.CLOSED


def visible_sensors(hub: Hub, actor: Credential) -> tuple[Released[Sensor], datetime]:
    """Sensors as the caller may see them, and the moment their positions are for."""
    with hub.lock:
        now, scenario = hub.now(), hub.scenario()
        return _release(scenario.sensors, lambda s: s.party, lambda s: s.position_at(now),
                        scenario, actor.party), now
