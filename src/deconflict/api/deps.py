"""Request dependencies: the hub, and the credential of the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from deconflict.errors import AuthenticationError
from deconflict.model import Credential
from deconflict.service.access import authenticate, session_actor
from deconflict.service.hub import Hub

__all__ = ["SESSION_COOKIE", "Actor", "HubDep", "current_actor", "get_hub"]

SESSION_COOKIE = "deconflict_session"
_bearer = HTTPBearer(auto_error=False, description="A token from `deconflict token create`.")


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


HubDep = Annotated[Hub, Depends(get_hub)]


def current_actor(request: Request, hub: HubDep,
                  bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                  ) -> Credential:
    """Bearer token first; a browser's session cookie otherwise. Every failure is a plain 401."""
    now = hub.now()
    header = request.headers.get("authorization")
    if header is not None:
        if bearer is None or bearer.scheme.lower() != "bearer":
            raise AuthenticationError("use 'Authorization: Bearer TOKEN'")
        return authenticate(hub.store, bearer.credentials.strip(), now)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return session_actor(hub.store, session, now)
    raise AuthenticationError("a bearer token or a session is required")


Actor = Annotated[Credential, Depends(current_actor)]
