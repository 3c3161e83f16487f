"""Border surveillance: detections in from sensors' parties; detections, tracks and sensors out
as the caller may see them (GeoJSON, released like units)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from deconflict.api.deps import Actor, HubDep
from deconflict.errors import ValidationError
from deconflict.interop import geojson
from deconflict.model import Position, Sensor, parse_rfc3339, rfc3339
from deconflict.model.detection import Detection
from deconflict.service.detections import (
    DetectionReport,
    Released,
    TrackView,
    crossing_view,
    ingest_detections,
    visible_detections,
    visible_sensors,
    visible_tracks,
)

__all__ = ["DetectionBatch", "DetectionBody", "router"]

router = APIRouter(prefix="/api/v1", tags=["border"])

Finite = Annotated[float, Field(allow_inf_nan=False)]


class DetectionBody(BaseModel):
    """One sighting by one of the caller's sensors."""

    model_config = ConfigDict(extra="forbid")

    sensor: str = Field(min_length=1, max_length=200)
    position: list[Finite] = Field(min_length=2, max_length=3,
                                   description="[lon, lat] or [lon, lat, alt_m]")
    time: str = Field(description="RFC 3339, UTC", examples=["2017-09-18T11:00:00Z"])
    uncertainty_m: float = Field(default=0.0, ge=0, le=1e8, allow_inf_nan=False,
                                 description="radius, metres, the object lies within")
    classification: str | None = Field(default=None, min_length=1, max_length=100)
    heading_deg: float | None = Field(default=None, ge=0, lt=360, allow_inf_nan=False)
    speed_mps: float | None = Field(default=None, ge=0, le=1e5, allow_inf_nan=False)


class DetectionBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    detections: list[DetectionBody] = Field(min_length=1)


def _report(body: DetectionBody, path: str) -> DetectionReport:
    try:
        position = Position(*body.position)
    except ValueError as exc:
        raise ValidationError(str(exc), field=f"{path}.position") from None
    try:
        time = parse_rfc3339(body.time)
    except ValueError as exc:
        raise ValidationError(str(exc), field=f"{path}.time") from None
    return DetectionReport(body.sensor, time, position, body.uncertainty_m, body.classification,
                           body.heading_deg, body.speed_mps)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise ValidationError(str(exc), field="since") from None


@router.post("/detections", status_code=201,
             summary="Report detections by the caller's sensors (durable on reply)")
def post_detections(batch: DetectionBatch, actor: Actor, hub: HubDep) -> dict[str, Any]:
    reports = [_report(b, f"detections[{i}]") for i, b in enumerate(batch.detections)]
    done = ingest_detections(hub, actor, reports)
    return {"accepted": len(done.detections),
            "detections": [{"id": d.id, "track": t}
                           for d, t in zip(done.detections, done.tracks, strict=True)],
            "crossings": list(done.told)}


def _cells(released: Released[Any]) -> list[dict[str, Any]]:
    return [geojson.cell_feature(c) for c in released.cells]


def detection_feature(d: Detection) -> dict[str, Any]:
    props: dict[str, Any] = {"party": d.party, "sensor": d.sensor, "time": rfc3339(d.time),
                             "uncertainty_m": d.uncertainty_m}
    for name in ("classification", "heading_deg", "speed_mps"):
        if getattr(d, name) is not None:
            props[name] = getattr(d, name)
    return {"type": "Feature", "id": d.id, "properties": props,
            "geometry": {"type": "Point", "coordinates": d.position.coordinates()}}


@router.get("/detections", summary="Detections the caller may see: exact points, cell counts")
def get_detections(actor: Actor, hub: HubDep,
                   since: Annotated[str | None, Query(description="RFC 3339, UTC")] = None
                   ) -> dict[str, Any]:
    released = visible_detections(hub, actor, _since(since))
    return geojson.collection([*(detection_feature(d) for d in released.exact),
                               *_cells(released)])


def track_feature(view: TrackView) -> dict[str, Any]:
    track = view.track
    points = [d.position.coordinates()[:2] for d in track.detections]
    geometry = ({"type": "Point", "coordinates": points[0]} if len(points) == 1
                else {"type": "LineString", "coordinates": points})
    known = {d.id: d for d in track.detections}
    props = {"party": track.party, "state": view.state.value,
             "first": rfc3339(track.detections[0].time), "last": rfc3339(track.head.time),
             "detections": [d.id for d in track.detections],
             "sensors": sorted({d.sensor for d in track.detections}),
             "crossings": [crossing_view(c, known) for c in view.crossings]}
    return {"type": "Feature", "id": track.id, "geometry": geometry, "properties": props}


@router.get("/tracks", summary="Tracks the caller may see, with their border crossings")
def get_tracks(actor: Actor, hub: HubDep,
               since: Annotated[str | None, Query(description="RFC 3339, UTC: last seen at "
                                                              "or after")] = None
               ) -> dict[str, Any]:
    released = visible_tracks(hub, actor, _since(since))
    return geojson.collection([*(track_feature(v) for v in released.exact), *_cells(released)])


def sensor_feature(sensor: Sensor, at: datetime) -> dict[str, Any]:
    position = sensor.position_at(at)
    props = {"party": sensor.party, "kind": sensor.kind.value, "name": sensor.name,
             "range_m": sensor.range_m, "bearing_deg": sensor.bearing_deg,
             "fov_deg": sensor.fov_deg, "active": sensor.active_at(at),
             "patrol": sensor.patrol is not None}
    return {"type": "Feature", "id": sensor.id, "properties": props,
            "geometry": {"type": "Point", "coordinates": position.coordinates()}}


@router.get("/sensors", summary="Sensors the caller may see: its own and those released to it")
def get_sensors(actor: Actor, hub: HubDep) -> dict[str, Any]:
    released, at = visible_sensors(hub, actor)
    return geojson.collection([*(sensor_feature(s, at) for s in released.exact),
                               *_cells(released)])
