"""The ledger: checkpoints and countersignatures, entries and their proofs, keys.

Every party reads the checkpoints, consistency proofs and public keys (hashes and keys reveal no
content). An entry and its inclusion proof are shown only to a party that may read the entry
(see :func:`deconflict.service.ledger.may_read`); any other index is a 404 identical to one
past the end of the log.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from deconflict.api.deps import Actor, HubDep
from deconflict.ledger import checkpoint_of, parse_note
from deconflict.model import rfc3339
from deconflict.service import ledger
from deconflict.service.hub import Hub

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

#: Indexes and sizes beyond this cannot exist (and would not fit the database's integers).
_MAX = 2**53
Index = Annotated[int, Path(ge=0, le=_MAX, description="An entry's index (0, 1, 2, ...)")]
Size = Annotated[int, Path(ge=0, le=_MAX, description="A published checkpoint's tree size")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CountersignBody(_Body):
    signature: str | None = Field(
        default=None, max_length=500,
        description="Your own signature line '— <party> <base64(key id || signature)>' over "
                    "the checkpoint's text; leave it out to have the hub sign with the key it "
                    "holds for your party.")


class KeyBody(_Body):
    public_key: str = Field(min_length=1, max_length=200,
                            description="Your Ed25519 public key: 32 bytes, base64.")


class EntryBody(_Body):
    entry: dict[str, Any] = Field(description="The entry as an export lists it, signed by you.")
    audience: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=100,
        description="Parties that may read it beside you ('*': every party).")


def _checkpoint_view(hub: Hub, note: str) -> dict[str, Any]:
    point = checkpoint_of(note)
    row = hub.store.ledger_checkpoint(point.size)
    return {"origin": point.origin, "size": point.size,
            "root": base64.b64encode(row.root).decode("ascii"), "published": rfc3339(row.published),
            "signers": parse_note(note).signers(), "note": note}


def _wants_text(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/plain" in accept and "application/json" not in accept


@router.get("/checkpoint", summary="The latest signed checkpoint (JSON, or the note as text)",
            responses={200: {"content": {"text/plain": {}}}})
def get_checkpoint(request: Request, actor: Actor, hub: HubDep) -> Response:
    with hub.lock:
        note = ledger.checkpoint_note(hub)
        if _wants_text(request):
            return PlainTextResponse(note)
        return JSONResponse(_checkpoint_view(hub, note))


@router.post("/checkpoints/{size}/signatures",
             summary="Countersign a checkpoint for your party (as a witness)")
def post_countersignature(size: Size, body: CountersignBody, actor: Actor,
                          hub: HubDep) -> dict[str, Any]:
    note = ledger.countersign_checkpoint(hub, actor, size, body.signature)
    with hub.lock:
        return _checkpoint_view(hub, note)


@router.get("/consistency", summary="Proof that one published checkpoint extends another")
def get_consistency(
        actor: Actor, hub: HubDep,
        old: Annotated[int | None, Query(alias="from", ge=0, le=_MAX,
                                         description="default: the first checkpoint")] = None,
        new: Annotated[int | None, Query(alias="to", ge=0, le=_MAX,
                                         description="default: the latest checkpoint")] = None,
) -> dict[str, Any]:
    with hub.lock:
        return ledger.consistency(hub, old, new)


@router.get("/about/{ref}", summary="The entries about an object that your party may read")
def get_entries_about(ref: Annotated[str, Path(max_length=200)], actor: Actor,
                      hub: HubDep) -> list[dict[str, Any]]:
    return ledger.entries_view(hub, actor.party, ref)


@router.get("/entries/{index}", summary="One entry, if your party may read it")
def get_entry(index: Index, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return ledger.entry_view(hub, actor.party, index)


@router.get("/entries/{index}/proof",
            summary="The inclusion proof of an entry you may read, at the latest checkpoint")
def get_entry_proof(index: Index, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return ledger.proof_view(hub, actor.party, index)


@router.post("/entries", status_code=201,
             summary="Append an entry your party signed itself (after registering its key)")
def post_entry(body: EntryBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    entry = ledger.submit_entry(hub, actor, body.entry, body.audience)
    return ledger.entry_view(hub, actor.party, entry.index)


@router.get("/keys", summary="The public keys of the log")
def get_keys(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    with hub.lock:
        return ledger.key_views(hub)


@router.post("/keys", status_code=201,
             summary="Register your party's own public key; the hub stops signing for it")
def post_key(body: KeyBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    return ledger.register_key(hub, actor, body.public_key)

