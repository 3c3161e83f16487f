"""Credentials: bearer tokens stored hashed, sessions for browsers, disclosure choices."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from deconflict.errors import AuthenticationError, ForbiddenError, ValidationError
from deconflict.model import (
    AlertKind,
    Credential,
    DisclosureLevel,
    DisclosureRule,
    Role,
)
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor
from deconflict.storage.base import Store

__all__ = [
    "TOKEN_PREFIX",
    "authenticate",
    "close_session",
    "create_credential",
    "open_session",
    "revoke_credential",
    "secret_hash",
    "session_actor",
    "set_disclosure",
]

TOKEN_PREFIX = "dcf_"


def secret_hash(secret: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is enough to keep them unrecoverable."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_credential(store: Store, party: str, role: Role, name: str, now: datetime,
                      parties: Collection[str]) -> tuple[Credential, str]:
    """A new token for ``party``; the secret is returned once and never stored."""
    if party not in parties:
        raise ValidationError(f"unknown party {party!r}", field="party")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    credential = Credential(f"tok-{secrets.token_hex(6)}", party, role, name or party, now)
    with store.atomic():
        store.add_credential(credential, secret_hash(secret))
        ledger.record(store, ledger.HUB, "token.create", credential.id,
                      _token_body(credential), audience=[party], at=now)
    return credential, secret


def _token_body(credential: Credential) -> dict[str, object]:
    """What the ledger keeps of a token: who holds it, never its secret or the secret's hash."""
    return {"id": credential.id, "party": credential.party, "role": credential.role.value,
            "name": credential.name, "created": credential.created,
            "revoked": credential.revoked}


def revoke_credential(store: Store, credential_id: str, now: datetime) -> Credential:
    with store.atomic():
        credential = store.revoke_credential(credential_id, now)
        ledger.record(store, ledger.HUB, "token.revoke", credential_id,
                      _token_body(credential), audience=[credential.party], at=now)
    return credential


def authenticate(store: Store, secret: str, now: datetime) -> Credential:
    """The credential a bearer token stands for; every failure looks the same."""
    credential = None
    if secret.startswith(TOKEN_PREFIX) and 20 <= len(secret) <= 200:
        credential = store.credential_by_hash(secret_hash(secret))
    # A revocation counts at once whatever the hub's clock says: `deconflict token revoke`
    # stamps wall-clock time, which is later than an exercise clock replaying 2017.
    if credential is None or credential.revoked is not None:
        raise AuthenticationError("a valid bearer token is required")
    return credential


def open_session(hub: Hub, secret: str) -> tuple[str, datetime]:
    """Exchange a token for a browser session; returns the session secret and its expiry."""
    now = hub.now()
    credential = authenticate(hub.store, secret, now)
    session = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hub.limits.session_hours)
    hub.store.add_session(secret_hash(session), credential.id, expires)
    return session, expires


def close_session(hub: Hub, session: str) -> None:
    """Signing out ends the session on the hub, not only in the browser."""
    if session:
        hub.store.end_session(secret_hash(session))


def session_actor(store: Store, session: str, now: datetime) -> Credential:
    credential = store.session_credential(secret_hash(session), now) if session else None
    if credential is None or credential.revoked is not None:  # revoked: see authenticate
        raise AuthenticationError("the session has expired; sign in again")
    return credential


def set_disclosure(hub: Hub, actor: Credential, recipient: str, level: DisclosureLevel) -> None:
    """What the caller's party releases of its units to ``recipient``."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        if recipient not in hub.party_ids() or recipient == actor.party:
            raise ValidationError("the recipient must be another party of the hub",
                                  field="recipient")
        rule = DisclosureRule(actor.party, recipient, level)
        with hub.store.atomic():
            hub.store.set_disclosure(rule)
            ledger.record(hub, actor.party, "disclosure", recipient,
                          {"source": actor.party, "recipient": recipient,
                           "level": level.value}, audience=[recipient])
            raise_alerts(hub, [alert(hub, recipient, AlertKind.DISCLOSURE, party=actor.party,
                                     level=level.value)])
        others = [r for r in hub.scenario().disclosure
                  if (r.source, r.recipient) != (actor.party, recipient)]
        hub.apply(disclosure=(*others, rule))


def require_admin(actor: Credential) -> None:
    if actor.role is not Role.ADMIN:
        raise ForbiddenError("only an admin credential manages tokens and parties")
