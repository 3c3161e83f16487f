"""Incidents: a party reports an event; the hub correlates it with everything around it in space
and time and answers with a report and an evidence bundle, each as the caller may see them.

The correlation rules are in :mod:`deconflict.service.incident_correlation`, what each viewer
sees in :mod:`deconflict.service.incident_views`. A report is computed when it is asked for, from
the store as it then stands (answers given later show as given after the event); the incident
itself records the objects correlated when it was filed. The ledger's evidence joins a report in
exactly one place, :func:`_attach_evidence`.
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime
from typing import Any

from deconflict.errors import NotFoundError, ValidationError
from deconflict.model import Credential, Position, Role, parse_rfc3339, rfc3339
from deconflict.model.incident import (
    MAX_INCIDENT_RADIUS_M,
    Incident,
    IncidentKind,
)
from deconflict.service import ledger
from deconflict.service.clock import WallClock
from deconflict.service.hub import Hub, require_actor
from deconflict.service.incident_correlation import IncidentQuery, correlate
from deconflict.service.incident_views import Viewer, report_view
from deconflict.storage import open_store

__all__ = [
    "MAX_DESCRIPTION",
    "IncidentQuery",
    "Viewer",
    "incident_bundle",
    "incident_report",
    "incident_summary",
    "incidents_for",
    "investigate",
    "investigate_db",
    "make_query",
    "report_incident",
    "viewer_of",
]

MAX_DESCRIPTION = 4000


def make_query(lon: float, lat: float, time: datetime, radius_m: float,
               alt_m: float | None = None) -> IncidentQuery:
    """A checked question: the point, the moment, the radius searched around the point."""
    if not all(math.isfinite(v) for v in (lon, lat, *(() if alt_m is None else (alt_m,)))):
        raise ValidationError("coordinates must be finite numbers", field="position")
    try:
        position = Position(lon, lat, alt_m)
    except ValueError as exc:
        raise ValidationError(str(exc), field="position") from None
    if not 0.0 <= radius_m <= MAX_INCIDENT_RADIUS_M:  # NaN fails too
        raise ValidationError(f"radius_m must be between 0 and {MAX_INCIDENT_RADIUS_M:g} m",
                              field="radius_m")
    if time.tzinfo is None:
        raise ValidationError("time must carry a timezone (UTC)", field="time")
    return IncidentQuery(position, time, float(radius_m))


def viewer_of(actor: Credential) -> Viewer:
    """An administrator reads the whole truth; everyone else what its party may see."""
    return Viewer(actor.party, whole_truth=actor.role is Role.ADMIN)


def report_incident(hub: Hub, actor: Credential, query: IncidentQuery, description: str = "",
                    kind: IncidentKind = IncidentKind.STRIKE) -> tuple[Incident, dict[str, Any]]:
    """File an incident for the caller's party; the report as the caller may see it."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        if query.time > now:
            raise ValidationError("an incident cannot have happened after the hub's now "
                                  f"({rfc3339(now)})", field="time")
        if len(description) > MAX_DESCRIPTION:
            raise ValidationError(f"a description has at most {MAX_DESCRIPTION} characters",
                                  field="description")
        corr = correlate(hub.store, hub.filings, query)
        with hub.store.atomic():
            number = len(hub.store.incidents(actor.party)) + 1
            incident = Incident(f"{actor.party}-incident-{number}", actor.party, now, query.time,
                                query.position, query.radius_m, description, kind, corr.items())
            hub.store.add_incident(incident)
            _record(hub, incident)
        return incident, report_view(hub, incident, corr, viewer_of(actor))


def _record(hub: Hub, incident: Incident) -> None:
    """Two entries: the report as its party made it (its own to read), and what the hub
    correlated with it, which names objects the party may not see (the investigator's alone).
    Both are withheld: an export shows only their commitments."""
    ledger.record(hub, incident.party, "incident", incident.id, incident_summary(incident),
                  withheld=True)
    items = [[item.kind, item.ref] for item in incident.items]
    ledger.record(hub, ledger.HUB, "incident.correlated", incident.id,
                  {"incident": incident.id, "items": items}, withheld=True)


def incident_summary(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, "reported_by": incident.party,
            "reported": rfc3339(incident.reported), "kind": incident.kind.value,
            "time": rfc3339(incident.time), "position": incident.position.coordinates(),
            "radius_m": incident.radius_m, "description": incident.description}


def incidents_for(hub: Hub, actor: Credential) -> list[Incident]:
    """An administrator sees every incident; a party the ones it reported."""
    viewer = viewer_of(actor)
    return hub.store.incidents(None if viewer.whole_truth else actor.party)


def _visible(hub: Hub, actor: Credential, incident_id: str) -> Incident:
    try:
        incident = hub.store.incident(incident_id)
    except NotFoundError:
        incident = None
    if incident is None or not viewer_of(actor).sees_party(incident.party):
        # Another party's incident is as unknown as a made-up id.
        raise NotFoundError(f"no incident {incident_id!r}", field="id")
    return incident


def incident_report(hub: Hub, actor: Credential, incident_id: str) -> dict[str, Any]:
    """The report of a visible incident, computed now for the caller."""
    with hub.lock:
        incident = _visible(hub, actor, incident_id)
        return _report(hub, incident, viewer_of(actor))


def incident_bundle(hub: Hub, actor: Credential, incident_id: str) -> dict[str, Any]:
    """The report with the ledger's evidence for what it shows (see :func:`_attach_evidence`)."""
    with hub.lock:
        viewer = viewer_of(actor)
        report = _report(hub, _visible(hub, actor, incident_id), viewer)
        return _attach_evidence(hub, report, viewer)


def investigate(hub: Hub, query: IncidentQuery) -> dict[str, Any]:
    """The whole truth about an event, filed nowhere: the bundle an investigator is handed."""
    with hub.lock:
        viewer = Viewer("", whole_truth=True)
        report = report_view(hub, None, correlate(hub.store, hub.filings, query), viewer)
        return _attach_evidence(hub, report, viewer)


def investigate_db(db_path: str | os.PathLike[str], query: IncidentQuery) -> dict[str, Any]:
    """:func:`investigate` on the database at ``db_path`` (read only): what the command runs."""
    store = open_store(db_path, create=False)
    try:
        return investigate(Hub(store, WallClock()), query)
    finally:
        store.close()


def _report(hub: Hub, incident: Incident, viewer: Viewer) -> dict[str, Any]:
    query = IncidentQuery(incident.position, incident.time, incident.radius_m)
    return report_view(hub, incident, correlate(hub.store, hub.filings, query), viewer)


def _attach_evidence(hub: Hub, report: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """The one place where the ledger's evidence joins a report: every item the report shows
    gets ``ledger``, the indexes of the entries about it that the viewer may read, and the bundle
    (``deconflict-evidence/1``) carries those entries with their inclusion proofs against one
    signed checkpoint, withheld bodies revealed to those entitled, and the report as its
    ``incident``. Only objects the report shows are looked up, so nothing hidden from the viewer
    adds an entry, and an entry the viewer may not read is left out, unsaid. An object that came
    with the loaded scenario, and has no entry of its own, cites the scenario's load."""
    reader = None if viewer.whole_truth else viewer.party
    loaded = _last_load(hub)
    chosen: list[int] = []
    for item, indexes, may_be_loaded in _evidence_targets(hub, report):
        if not indexes and may_be_loaded and loaded is not None:
            indexes = [loaded]
        readable = [i for i in indexes
                    if ledger.may_read(hub, reader, hub.store.ledger_entry(i))]
        item["ledger"] = readable
        chosen += readable
    return ledger.evidence_bundle(hub, chosen, reader, report)


def _evidence_targets(hub: Hub, report: dict[str, Any]
                      ) -> list[tuple[dict[str, Any], list[int], bool]]:
    """``(item, indexes of the entries about it, whether it may have come with the scenario)``
    for every object the report shows, the incident first."""
    head = report["incident"]
    found = [(head, _about(hub, str(head["id"])), False)] if head["id"] else []
    found += [(item, _about(hub, str(item["id"])), item["filed"] is None)
              for item in report["notices"]]
    found += [(item, _about(hub, str(item["id"])), False) for item in report["messages"]]
    found += [(item, _about(hub, str(item["id"])), True)
              for item in (*report["sites"], *report["zones"], *report["lines"])]
    found += [(item, _batch_of(hub, item), True)
              for item in (*report["units"], *report["stale_units"])]
    return found


def _about(hub: Hub, ref: str) -> list[int]:
    return [entry.index for entry in ledger.entries_about(hub, ref)]


def _batch_of(hub: Hub, unit: dict[str, Any]) -> list[int]:
    """The position batch that reported the fix the report shows, if one did: the first batch
    of the unit's party recorded since the fix was observed that holds that very fix."""
    observed = parse_rfc3339(str(unit["observed"]))
    for entry in ledger.position_entries(hub, str(unit["id"]), str(unit["party"]), observed,
                                         max(observed, hub.now())):
        body = hub.store.ledger_entry(entry.index).body
        rows = json.loads(body).get("reports", []) if body else []
        if any(row[0] == unit["id"] and row[4] == unit["observed"] for row in rows):
            return [entry.index]
    return []


def _last_load(hub: Hub) -> int | None:
    """The entry of the latest load of the hub's scenario, if it was recorded."""
    loads = [e for e in ledger.entries_about(hub, hub.scenario().name)
             if e.kind == "scenario.load"]
    return loads[-1].index if loads else None
