"""Who is calling: sessions for browsers, the caller's identity, parties, tokens (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from deconflict.api.deps import SESSION_COOKIE, Actor, HubDep
from deconflict.api.schemas import SessionBody, TokenBody
from deconflict.model import Credential, rfc3339
from deconflict.service import access

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["access"])


def credential_view(c: Credential) -> dict[str, Any]:
    return {"id": c.id, "party": c.party, "role": c.role.value, "name": c.name,
            "created": rfc3339(c.created), "revoked": rfc3339(c.revoked) if c.revoked else None}


@router.post("/session", summary="Exchange a token for a session cookie (browsers)")
def post_session(body: SessionBody, request: Request, response: Response, hub: HubDep
                 ) -> dict[str, str]:
    secret, expires = access.open_session(hub, body.token)
    max_age = int((expires - hub.now()).total_seconds())
    secure = bool(request.app.state.settings.secure_cookies)
    response.set_cookie(SESSION_COOKIE, secret, max_age=max_age, httponly=True,
                        samesite="strict", secure=secure, path="/")
    return {"expires": rfc3339(expires)}


@router.delete("/session", status_code=204, summary="Sign out of the browser session")
def delete_session(request: Request, response: Response, hub: HubDep) -> None:
    access.close_session(hub, request.cookies.get(SESSION_COOKIE, ""))
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", summary="The caller's party and role, and the hub's clock")
def get_me(actor: Actor, hub: HubDep) -> dict[str, Any]:
    return {**credential_view(actor), "hub_time": rfc3339(hub.now())}


@router.get("/parties", summary="The parties of the hub")
def get_parties(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    with hub.lock:
        parties = hub.scenario().parties
        relations = hub.scenario().relation_index
    return [{"id": p.id, "name": p.name, "kind": p.kind.value,
             "relation": "self" if p.id == actor.party else relations.kind(actor.party, p.id).value}
            for p in parties]


@router.get("/tokens", summary="Tokens of the hub (admin)")
def get_tokens(actor: Actor, hub: HubDep) -> list[dict[str, Any]]:
    access.require_admin(actor)
    return [credential_view(c) for c in hub.store.credentials()]


@router.post("/tokens", status_code=201, summary="Create a token (admin); the secret is shown once")
def post_token(body: TokenBody, actor: Actor, hub: HubDep) -> dict[str, Any]:
    access.require_admin(actor)
    with hub.lock:
        credential, secret = access.create_credential(hub.store, body.party, body.role,
                                                      body.name, hub.now(), hub.party_ids())
    return {**credential_view(credential), "token": secret}


@router.delete("/tokens/{token_id}", summary="Revoke a token (admin)")
def delete_token(token_id: str, actor: Actor, hub: HubDep) -> dict[str, Any]:
    access.require_admin(actor)
    with hub.lock:
        return credential_view(access.revoke_credential(hub.store, token_id, hub.now()))
