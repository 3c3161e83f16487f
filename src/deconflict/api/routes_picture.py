"""The shared picture: position reports in, GeoJSON of what the caller may see out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from deconflict.api.deps import Actor, HubDep
from deconflict.api.schemas import DisclosureBody, PositionBatch, PositionBody, ScenarioObject
from deconflict.engine.disclosure import visible_areas
from deconflict.errors import ValidationError
from deconflict.interop import geojson
from deconflict.model import Fix, Position, parse_rfc3339
from deconflict.service import access, sites
from deconflict.service.picture import picture_at
from deconflict.service.positions import PositionReport, report_positions

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["picture"])


def _fix(body: PositionBody, path: str) -> Fix:
    try:
        position = Position(*body.position)
    except ValueError as exc:
        raise ValidationError(str(exc), field=f"{path}.position") from None
    try:
        time = parse_rfc3339(body.time)
        stale = parse_rfc3339(body.stale) if body.stale is not None else None
    except ValueError as exc:
        raise ValidationError(str(exc), field=f"{path}.time") from None
    if stale is not None and stale < time:
        raise ValidationError("stale is before the observation time", field=f"{path}.stale")
    return Fix(position, time, body.radius_m, stale)


@router.post("/positions", summary="Report positions of the caller's units (durable on reply)")
def post_positions(batch: PositionBatch, actor: Actor, hub: HubDep) -> dict[str, int]:
    reports = [PositionReport(b.unit, _fix(b, f"reports[{i}]"))
               for i, b in enumerate(batch.reports)]
    return {"accepted": report_positions(hub, actor, reports)}


@router.get("/units", summary="Units the caller may see: exact points and per-cell counts")
def get_units(actor: Actor, hub: HubDep,
              at: Annotated[str | None, Query(description="RFC 3339; a past moment to replay "
                                                          "(release rules in force now apply)")]
              = None) -> dict[str, Any]:
    moment = _moment(at)
    return geojson.units_collection(picture_at(hub, actor, moment))


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise ValidationError(str(exc), field="at") from None


@router.get("/areas", summary="Areas of control released to the caller")
def get_areas(actor: Actor, hub: HubDep) -> dict[str, Any]:
    with hub.lock:
        areas = visible_areas(hub.scenario(), actor.party)
    return geojson.collection(geojson.area_feature(a) for a in areas)


@router.get("/zones", summary="Agreed zones and lines in effect")
def get_zones(actor: Actor, hub: HubDep) -> dict[str, Any]:
    with hub.lock:
        zones = hub.scenario().zones
    return geojson.collection(geojson.zone_feature(z) for z in zones)


@router.get("/sites", summary="Protected sites and humanitarian movements")
def get_sites(actor: Actor, hub: HubDep) -> dict[str, Any]:
    with hub.lock:
        found = hub.scenario().sites
    return geojson.collection(geojson.site_feature(s) for s in found)


@router.post("/sites", status_code=201, summary="Notify a protected site or a movement")
def post_site(body: ScenarioObject, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return geojson.site_feature(sites.notify_site(hub, actor, body))


@router.put("/disclosure/{recipient}", summary="Set what the caller releases to a party")
def put_disclosure(recipient: str, body: DisclosureBody, actor: Actor, hub: HubDep
                   ) -> dict[str, str]:
    access.set_disclosure(hub, actor, recipient, body.level)
    return {"from": actor.party, "to": recipient, "level": body.level.value}


@router.get("/disclosure", summary="The caller's own release levels, per recipient")
def get_disclosure(actor: Actor, hub: HubDep) -> dict[str, str]:
    with hub.lock:
        scenario = hub.scenario()
        return {p: scenario.disclosure_level(actor.party, p).value for p in hub.party_ids()
                if p != actor.party}
