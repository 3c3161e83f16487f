"""Border surveillance, the watch: borders (shared geography), and coverage now or over a time
range computed only from the sensors the caller may see."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from deconflict.api.deps import Actor, HubDep
from deconflict.errors import ValidationError
from deconflict.interop import geojson
from deconflict.model import parse_rfc3339
from deconflict.service.coverage_views import (
    border_feature,
    coverage_for,
    default_range,
    timeline_for,
    visible_borders,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["border"])


def _moment(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise ValidationError(str(exc), field=field) from None


@router.get("/borders", summary="Every border line (shared geography), as GeoJSON")
def get_borders(actor: Actor, hub: HubDep) -> dict[str, Any]:
    return geojson.collection(border_feature(b) for b in visible_borders(hub, actor))


@router.get("/coverage",
            summary="Each border's coverage by the sensors the caller may see: covered length "
                    "and gaps (longest first), each with its line")
def get_coverage(actor: Actor, hub: HubDep,
                 at: Annotated[str | None, Query(description="RFC 3339, UTC; default: the "
                                                             "hub's now")] = None
                 ) -> dict[str, Any]:
    return coverage_for(hub, actor, _moment(at, "at")).to_dict()


@router.get("/coverage/timeline",
            summary="Minutes each border section is watched over a range (at most 48 h), in all "
                    "and per step, by the sensors the caller may see")
def get_coverage_timeline(
        actor: Actor, hub: HubDep,
        start: Annotated[str | None, Query(alias="from", description="RFC 3339, UTC; default: "
                                           "the start (00:00Z) of the hub's day")] = None,
        end: Annotated[str | None, Query(alias="to", description="RFC 3339, UTC; default: "
                                         "a day after from")] = None,
        step_min: Annotated[float, Query(description="minutes per step (1 to 1440)",
                                         allow_inf_nan=False)] = 60.0,
        section_km: Annotated[float, Query(description="length of a section (0.1 to 10,000)",
                                           allow_inf_nan=False)] = 5.0,
        border: Annotated[str | None, Query(description="only this border",
                                            max_length=200)] = None,
) -> dict[str, Any]:
    first, last = default_range(hub.now(), _moment(start, "from"), _moment(end, "to"))
    if not 1.0 <= step_min <= 1440.0:
        raise ValidationError("the step must be 1 to 1,440 minutes", field="step_min")
    if not 0.1 <= section_km <= 10_000.0:
        raise ValidationError("a section must be 0.1 to 10,000 km long", field="section_km")
    view = timeline_for(hub, actor, first, last, timedelta(minutes=step_min),
                        section_m=section_km * 1000, border=border)
    return view.to_dict()
