"""Lines of communication (air, ground, command) and agreed zone versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from deconflict.api.deps import Actor, HubDep
from deconflict.api.schemas import MessageBody, ScenarioObject
from deconflict.service import messages, zones

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["lines of communication", "zones"])


@router.post("/messages", status_code=201, summary="Send a message that needs acknowledging")
def post_message(body: MessageBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    message = messages.send_message(hub, actor, body.to, body.level, body.text,
                                     body.ack_within_s)
    return messages.message_view(message)


@router.get("/messages", summary="Messages the caller's party sent or received")
def get_messages(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    return [messages.message_view(m) for m in messages.messages_for(hub, actor)]


@router.post("/messages/{message_id}/ack", summary="Acknowledge a message sent to you")
def post_message_ack(message_id: str, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return messages.message_view(messages.acknowledge_message(hub, actor, message_id))


@router.post("/zones", status_code=201, summary="Propose a zone or line version")
def post_zone(body: ScenarioObject, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return zones.version_view(zones.propose_zone(hub, actor, body))


@router.get("/zones/versions",
                summary="Zone versions: pending ones you are party to, and all in effect")
def get_zone_versions(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    return [zones.version_view(v) for v in zones.visible_versions(hub, actor)]


@router.post("/zones/{zone_id}/versions/{number}/sign", summary="Sign a zone version")
def post_zone_sign(zone_id: str, number: int, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return zones.version_view(zones.sign_zone(hub, actor, zone_id, number))
