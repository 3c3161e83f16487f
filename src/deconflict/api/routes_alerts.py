"""Alerts for the caller's party: a JSON list, and a Server-Sent Events stream with replay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from deconflict.api.deps import Actor, HubDep
from deconflict.errors import ValidationError
from deconflict.model import Alert, rfc3339
from deconflict.service.alerts import alerts_for
from deconflict.service.hub import Hub

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])

_POLL_S = 0.05
_KEEPALIVE_S = 15.0
_RECHECK_S = 0.5


def alert_view(a: Alert) -> dict[str, Any]:
    """The alert's own fields, and what it tells under ``detail`` (whose keys may be anything)."""
    return {"id": a.id, "kind": a.kind.value, "time": rfc3339(a.time), "detail": a.payload}


@router.get("", summary="The caller's alerts after an id, oldest first")
def get_alerts(actor: Actor, hub: HubDep,
               after: Annotated[int, Query(ge=0, le=2**62)] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    return [alert_view(a) for a in alerts_for(hub, actor, after, limit)]


def _resume_from(last_event_id: str | None, after: int) -> int:
    if last_event_id is None:
        return after
    text = last_event_id.strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError("Last-Event-ID must be an alert id", field="Last-Event-ID")
    return int(text)


def _event(a: Alert) -> str:
    data = json.dumps(alert_view(a), ensure_ascii=False, separators=(",", ":"))
    return f"id: {a.id}\nevent: {a.kind.value}\ndata: {data}\n\n"


@router.get("/stream", summary="Server-Sent Events; Last-Event-ID replays what was missed",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def stream_alerts(request: Request, actor: Actor, hub: HubDep,
                        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                        last_event_id: Annotated[str | None, Header()] = None
                        ) -> StreamingResponse:
    start = _resume_from(last_event_id, after)
    return StreamingResponse(_events(request, hub, actor.party, start),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _events(request: Request, hub: Hub, party: str, last: int) -> AsyncIterator[str]:
    """Bounded by the connection and the server: stops on disconnect or shutdown."""
    yield "retry: 2000\n\n"
    checked, idle = -1, 0.0
    while not await request.is_disconnected() and not request.app.state.stopping.is_set():
        # Query when the hub has raised alerts since the last look, and now and then anyway:
        # an alert counted but not yet committed at the last look is then still delivered.
        if hub.last_alert_id > checked or idle % _RECHECK_S < _POLL_S:
            checked = hub.last_alert_id
            found = await run_in_threadpool(hub.store.alerts_after, party, last, 200)
            for a in found:
                last = a.id
                yield _event(a)
            if found:
                idle = 0.0
                continue
        await asyncio.sleep(_POLL_S)
        idle += _POLL_S
        if idle >= _KEEPALIVE_S:
            idle = 0.0
            yield ": keepalive\n\n"
