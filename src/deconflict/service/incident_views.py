"""An incident's correlation as one viewer may see it: the report (``deconflict-incident/1``).

The whole truth goes to an administrator (and so to an investigator the parties admit, who is
handed the administrator's bundle). A party sees what every other read path shows it: its own
objects; notices it filed or that touched it (``visible_filing``), with what it was told then;
units at the level their owner releases to it — exact units by id and position, ``area`` units
only as per-cell counts of the release grid (the whole cell's count, as its picture shows it, so
the searched radius reveals nothing finer) — and nothing of units released ``none``; sites, zones
and lines, which every party is notified of; and messages it sent or received that name a notice
or site it may see. Nothing a party may not see changes what it receives, not even a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deconflict.engine.disclosure import CellCount, picture_for, visible_filing
from deconflict.engine.geodesy import distance_m
from deconflict.model import DisclosureLevel, Filing, Message, Scenario, Shape, rfc3339
from deconflict.model.incident import Incident
from deconflict.service.hub import Hub
from deconflict.service.incident_correlation import (
    Correlation,
    LineHit,
    NoticeHit,
    SiteHit,
    UnitHit,
    ZoneHit,
    names_any,
)
from deconflict.service.notices import notice_view

__all__ = ["REPORT_FORMAT", "Viewer", "report_view"]

REPORT_FORMAT = "deconflict-incident/1"

#: A timeline event before rendering: when, and what.
Event = tuple[datetime, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads a report: a party, or the whole truth (an administrator)."""

    party: str
    whole_truth: bool = False

    def sees_party(self, party: str) -> bool:
        return self.whole_truth or party == self.party


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else rfc3339(moment)


def _m(metres: float) -> float:
    return round(metres, 1)


def report_view(hub: Hub, incident: Incident | None, corr: Correlation,
                viewer: Viewer) -> dict[str, Any]:
    """The report of ``incident`` (None: a question asked without filing one) for ``viewer``."""
    scenario = hub.scenario()  # disclosure choices in force now, as every read path uses
    notices = [h for h in corr.notices if _sees_notice(h, viewer)]
    units, stale = _visible_units(corr, viewer)
    cells = [] if viewer.whole_truth else _cells(corr, viewer)
    messages = _visible_messages(corr, viewer, notices)
    return {
        "format": REPORT_FORMAT,
        "incident": _incident_section(incident, corr),
        "view": {"party": None if viewer.whole_truth else viewer.party,
                 "scope": "whole truth" if viewer.whole_truth else "party"},
        "notices": [_notice_item(hub, h, viewer, scenario, corr) for h in notices],
        "units": [_unit_item(h) for h in units],
        "unit_cells": [_cell_item(c) for c in cells],
        "stale_units": [_unit_item(h) for h in stale],
        "sites": [_site_item(h) for h in corr.sites],
        "zones": [_zone_item(h) for h in corr.zones],
        "lines": [_line_item(h) for h in corr.lines],
        "messages": [_message_item(m) for m in messages],
        "disclosure": _disclosure(scenario, viewer, notices, units, cells),
        "timeline": _timeline(incident, corr, viewer, notices, messages),
    }


# -- the incident ------------------------------------------------------------------------------

def _incident_section(incident: Incident | None, corr: Correlation) -> dict[str, Any]:
    q = corr.query
    return {
        "id": incident.id if incident else None,
        "reported_by": incident.party if incident else None,
        "reported": _time(incident.reported) if incident else None,
        "kind": incident.kind.value if incident else None,
        "description": incident.description if incident else "",
        "time": rfc3339(q.time),
        "position": q.position.coordinates(),
        "radius_m": q.radius_m,
    }


# -- notices -----------------------------------------------------------------------------------

def _sees_notice(hit: NoticeHit, viewer: Viewer) -> bool:
    if viewer.whole_truth:
        return True
    if hit.filing is None:  # never filed with a hub: only its own party knows of it
        return hit.notice.party == viewer.party
    return visible_filing(hit.filing, viewer.party)


def _notice_item(hub: Hub, hit: NoticeHit, viewer: Viewer, scenario: Scenario,
                 corr: Correlation) -> dict[str, Any]:
    n = hit.notice
    item: dict[str, Any] = {
        "id": n.id, "party": n.party, "kind": n.kind.value, "name": n.name,
        "geometry": n.shape.to_geojson(), "radius_m": n.shape.radius_m,
        "buffer_m": n.buffer_m, "standoff_m": n.effective_standoff_m,
        "altitude_m": [n.altitude.low_m, n.altitude.high_m] if n.altitude else None,
        "window": [rfc3339(n.window.start), rfc3339(n.window.end)],
        "distance_m": _m(hit.distance_m), "covers_point": hit.covers_point,
    }
    item.update(_filing_part(hub, hit.filing, viewer, scenario, corr.query.time))
    return item


def _filing_part(hub: Hub, filing: Filing | None, viewer: Viewer, scenario: Scenario,
                 moment: datetime) -> dict[str, Any]:
    if filing is None:
        return {"filed": None, "state": "not filed", "checkpoint": None, "findings": None,
                "told": {}, "notified": [], "answers": [], "awaiting": []}
    own = viewer.sees_party(filing.notice.party)
    # What each party was told: the whole truth shows all of them, a party only its own.
    told_to = ([filing.notice.party, *sorted(filing.touched)] if viewer.whole_truth
               else [viewer.party])
    answers = [a for a in filing.answers if own or a.party == viewer.party]
    return {
        "filed": rfc3339(filing.filed),
        "filed_before_incident": filing.filed <= moment,
        "state": filing.state.value,
        "checkpoint": filing.checkpoint,
        "findings": [c.to_dict() for c in filing.conflicts] if viewer.whole_truth else None,
        "told": {p: notice_view(hub, filing, p, scenario)["conflicts"] for p in told_to},
        "notified": sorted(filing.touched) if own else [viewer.party],
        "answers": [{"party": a.party, "answer": a.kind.value, "time": rfc3339(a.time),
                     "comment": a.comment, "before_incident": a.time <= moment}
                    for a in answers],
        "awaiting": sorted(filing.awaiting) if own else [],
    }


# -- units -------------------------------------------------------------------------------------

def _visible_units(corr: Correlation, viewer: Viewer) -> tuple[list[UnitHit], list[UnitHit]]:
    """Live and stale units the viewer may see exactly (its own, and those released exact)."""
    shown = [h for h in corr.units if viewer.whole_truth or corr.picture.disclosure_level(
        h.unit.party, viewer.party) is DisclosureLevel.EXACT]
    return [h for h in shown if h.live], [h for h in shown if not h.live]


def _cells(corr: Correlation, viewer: Viewer) -> list[CellCount]:
    """Release cells within the searched radius holding ``area`` units: whole-cell counts."""
    picture = picture_for(corr.picture, viewer.party, corr.query.time)
    return [c for c in picture.cells
            if distance_m(Shape(c.cell.polygon()), corr.query.point) <= corr.query.radius_m]


def _unit_item(hit: UnitHit) -> dict[str, Any]:
    u, f = hit.unit, hit.fix
    return {"id": u.id, "party": u.party, "kind": u.kind.value, "name": u.name,
            "position": f.position.coordinates(), "radius_m": f.radius_m,
            "observed": rfc3339(f.time), "stale": rfc3339(f.stale_at),
            "distance_m": _m(hit.distance_m), "live": hit.live}


def _cell_item(cell: CellCount) -> dict[str, Any]:
    c = cell.cell
    return {"cell": c.key, "party": cell.party, "count": cell.count, "disclosure": "area",
            "bounds": [round(v, 9) for v in (c.west, c.south, c.west + c.width,
                                             c.south + c.height)]}


# -- sites, zones, lines, messages -------------------------------------------------------------

def _site_item(hit: SiteHit) -> dict[str, Any]:
    s = hit.site
    window = [rfc3339(s.window.start), rfc3339(s.window.end)] if s.window else None
    return {"id": s.id, "party": s.party, "kind": s.kind.value, "name": s.name,
            "buffer_m": s.buffer_m, "window": window, "distance_m": _m(hit.distance_m),
            "inside_buffer": hit.distance_m <= s.buffer_m}


def _zone_item(hit: ZoneHit) -> dict[str, Any]:
    z = hit.zone
    return {"id": z.id, "version": z.version, "name": z.name, "owner": z.owner,
            "signatories": list(z.signatories), "effective": _time(hit.effective),
            "distance_m": _m(hit.distance_m), "inside": hit.distance_m == 0.0}


def _line_item(hit: LineHit) -> dict[str, Any]:
    z = hit.zone
    return {"id": z.id, "version": z.version, "name": z.name,
            "sides": {side.value: party for side, party in z.sides},
            "signatories": list(z.signatories), "effective": _time(hit.effective),
            "distance_m": _m(hit.distance_m), "side": hit.side.value if hit.side else None,
            "side_party": hit.party, "sides_reached": [s.value for s in hit.reached]}


def _visible_messages(corr: Correlation, viewer: Viewer, notices: list[NoticeHit]
                      ) -> list[Message]:
    if viewer.whole_truth:
        return list(corr.messages)
    # Only what names an object the viewer sees: a message naming a hidden notice would
    # tell that the notice was around the event.
    names = {h.notice.id for h in notices} | {h.site.id for h in corr.sites}
    return [m for m in corr.messages
            if viewer.party in (m.sender, m.recipient) and names_any(m.text, names)]


def _message_item(m: Message) -> dict[str, Any]:
    return {"id": m.id, "from": m.sender, "to": m.recipient, "level": m.level.value,
            "text": m.text, "sent": rfc3339(m.sent), "deadline": rfc3339(m.deadline),
            "acknowledged": _time(m.acknowledged), "escalated": _time(m.escalated),
            "escalated_from": m.escalated_from}


# -- disclosure --------------------------------------------------------------------------------

def _disclosure(scenario: Scenario, viewer: Viewer, notices: list[NoticeHit],
                units: list[UnitHit], cells: list[CellCount]) -> list[dict[str, str]]:
    """What the forces around the event released to the parties that notified operations there.

    A party is shown its own releases to those notifiers and what the parties it sees around
    the event release to it."""
    owners = sorted({h.unit.party for h in units} | {c.party for c in cells})
    notifiers = sorted({h.notice.party for h in notices})
    pairs = [(a, b) for a in owners for b in notifiers if a != b]
    if not viewer.whole_truth:
        pairs = [(a, b) for a, b in pairs if viewer.party in (a, b)]
    return [{"from": a, "to": b, "level": scenario.disclosure_level(a, b).value}
            for a, b in pairs]


# -- who knew what, and when --------------------------------------------------------------------

def _timeline(incident: Incident | None, corr: Correlation, viewer: Viewer,
              notices: list[NoticeHit], messages: list[Message]) -> list[dict[str, Any]]:
    moment = corr.query.time
    events = [_event(moment, "", "incident", "", "the event", [])]
    if incident is not None:
        events.append(_event(incident.reported, incident.party, "incident reported",
                             incident.id, incident.description, []))
    for hit in notices:
        events += _notice_events(hit, viewer)
    for zone in (*corr.zones, *corr.lines):
        if zone.effective is not None:
            events.append(_event(zone.effective, "", "zone in effect",
                                 f"{zone.zone.id}@{zone.zone.version}", zone.zone.name,
                                 zone.zone.signatories))
    for m in messages:
        events += _message_events(m)
    ordered = sorted(enumerate(events), key=lambda ie: (ie[1][0], ie[0]))
    return [{"time": rfc3339(at), "when": _when(at, moment), **e} for _, (at, e) in ordered]


def _event(moment: datetime, actor: str, what: str, ref: str, detail: str,
           to: Iterable[str]) -> Event:
    return moment, {"actor": actor, "event": what, "ref": ref, "detail": detail,
                    "to": sorted(to)}


def _when(at: datetime, moment: datetime) -> str:
    return "before" if at < moment else "at" if at == moment else "after"


def _notice_events(hit: NoticeHit, viewer: Viewer) -> list[Event]:
    filing = hit.filing
    if filing is None:
        return []
    own = viewer.sees_party(filing.notice.party)
    verdict = "screened: " + ("clear" if not filing.conflicts else "conflict")
    if viewer.whole_truth:  # a party is never told how many hidden objects stand behind it
        verdict += f", {len(filing.conflicts)} finding(s)"
    told = sorted(filing.touched) if own else [viewer.party]
    events = [_event(filing.filed, filing.notice.party, "notice filed", filing.notice.id,
                     f"{verdict}; notified to the parties it touches", told)]
    for a in filing.answers:
        if own or a.party == viewer.party:
            what = "acknowledged" if a.kind.value == "acknowledge" else "objected"
            events.append(_event(a.time, a.party, f"notice {what}", filing.notice.id,
                                 a.comment, [filing.notice.party]))
    return events


def _message_events(m: Message) -> list[Event]:
    events = [_event(m.sent, m.sender, f"{m.level.value} message sent", m.id, m.text,
                     [m.recipient])]
    if m.acknowledged is not None:
        events.append(_event(m.acknowledged, m.recipient, "message acknowledged", m.id, "",
                             [m.sender]))
    if m.escalated is not None:
        events.append(_event(m.escalated, "hub", "message escalated", m.id, "",
                             [m.sender, m.recipient]))
    return events
