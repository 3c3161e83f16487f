"""Notices of planned operations: file, list, answer, change state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from deconflict.api.deps import Actor, HubDep
from deconflict.api.schemas import AnswerBody, ScenarioObject, StateBody
from deconflict.errors import NotFoundError
from deconflict.interop import geojson
from deconflict.model import Filing, rfc3339
from deconflict.service import notices
from deconflict.service.hub import Hub

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])


def _feature(hub: Hub, filing: Filing, viewer: str) -> dict[str, Any]:
    n = filing.notice
    props = notices.notice_view(hub, filing, viewer)
    props.pop("id")
    props.update(kind=n.kind.value, name=n.name, buffer_m=n.buffer_m,
                 standoff_m=n.effective_standoff_m, radius_m=n.shape.radius_m,
                 window=[rfc3339(n.window.start), rfc3339(n.window.end)],
                 altitude_m=[n.altitude.low_m, n.altitude.high_m] if n.altitude else None,
                 filed=rfc3339(filing.filed))
    return {"type": "Feature", "id": n.id, "geometry": n.shape.to_geojson(), "properties": props}


@router.post("", status_code=201, summary="File a notice; it is screened at once")
def post_notice(body: ScenarioObject, actor: Actor, hub: HubDep) -> dict[str, Any]:
    filing, _ = notices.file_notice(hub, actor, body)
    return _feature(hub, filing, actor.party)


@router.get("", summary="Notices the caller may see (its own and those that touch it)")
def get_notices(actor: Actor, hub: HubDep) -> dict[str, Any]:
    with hub.lock:
        filings = notices.visible_filings(hub, actor)
        return geojson.collection(_feature(hub, f, actor.party) for f in filings)


@router.get("/{notice_id}", summary="One notice, if the caller may see it")
def get_notice(notice_id: str, actor: Actor, hub: HubDep) -> dict[str, Any]:
    with hub.lock:
        found = next((f for f in notices.visible_filings(hub, actor)
                      if f.notice.id == notice_id), None)
        if found is None:
            raise NotFoundError(f"no notice {notice_id!r}", field="id")
        return _feature(hub, found, actor.party)


@router.post("/{notice_id}/ack", summary="Acknowledge or object to a notice that touches you")
def post_answer(notice_id: str, body: AnswerBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return notices.answer_notice(hub, actor, notice_id, body.answer, body.comment)


@router.post("/{notice_id}/state", summary="Clear, cancel or complete your own notice")
def post_state(notice_id: str, body: StateBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return notices.set_notice_state(hub, actor, notice_id, body.state)
