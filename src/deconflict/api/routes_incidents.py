"""Incidents: report an event, read what the hub correlated with it, download its bundle."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from deconflict.api.deps import Actor, HubDep
from deconflict.errors import ValidationError
from deconflict.interop.incident_report import CONTENT_SECURITY_POLICY, render_html
from deconflict.model import parse_rfc3339
from deconflict.model.incident import (
    DEFAULT_INCIDENT_RADIUS_M,
    MAX_INCIDENT_RADIUS_M,
    IncidentKind,
)
from deconflict.service import incidents
from deconflict.service.incidents import MAX_DESCRIPTION

__all__ = ["IncidentBody", "router"]

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


class IncidentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time: str = Field(description="When it happened: RFC 3339, UTC",
                      examples=["2017-09-18T08:05:00Z"])
    position: list[float] = Field(min_length=2, max_length=3,
                                  description="[lon, lat] or [lon, lat, alt_m]")
    radius_m: float = Field(default=DEFAULT_INCIDENT_RADIUS_M, ge=0, le=MAX_INCIDENT_RADIUS_M,
                            allow_inf_nan=False, description="How far around the point to look")
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    kind: IncidentKind = IncidentKind.STRIKE


def _query(body: IncidentBody) -> incidents.IncidentQuery:
    try:
        time = parse_rfc3339(body.time)
    except ValueError as exc:
        raise ValidationError(str(exc), field="time") from None
    alt = body.position[2] if len(body.position) == 3 else None
    return incidents.make_query(body.position[0], body.position[1], time, body.radius_m, alt)


@router.post("", status_code=201,
             summary="Report an incident; the reply is what the hub correlated, as you may see it")
def post_incident(body: IncidentBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    _, report = incidents.report_incident(hub, actor, _query(body), body.description, body.kind)
    return report


@router.get("", summary="Incidents the caller may see (its party's; every one for an admin)")
def get_incidents(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    return [incidents.incident_summary(i) for i in incidents.incidents_for(hub, actor)]


@router.get("/{incident_id}", summary="An incident's report, computed now for the caller")
def get_incident(incident_id: str, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return incidents.incident_report(hub, actor, incident_id)


@router.get("/{incident_id}/bundle", summary="The report with the ledger's evidence (JSON)")
def get_bundle(incident_id: str, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return incidents.incident_bundle(hub, actor, incident_id)


@router.get("/{incident_id}/bundle.json", summary="The bundle as a file to keep and verify")
def get_bundle_file(incident_id: str, actor: Actor, hub: HubDep) -> JSONResponse:
    bundle = incidents.incident_bundle(hub, actor, incident_id)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in incident_id)
    return JSONResponse(bundle, headers={
        "Content-Disposition": f'attachment; filename="{name}.bundle.json"'})


@router.get("/{incident_id}/report",
            summary="The bundle as a self-contained HTML report (no scripts, nothing fetched)",
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
def get_report_page(incident_id: str, actor: Actor, hub: HubDep) -> HTMLResponse:
    page = render_html(incidents.incident_bundle(hub, actor, incident_id))
    return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                       "X-Content-Type-Options": "nosniff"})
