"""Raising alerts: stored first (the stream replays from the store), then announced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deconflict.model import Alert, AlertKind, Credential
from deconflict.service.hub import Hub

__all__ = ["alert", "alerts_for", "raise_alerts"]


def alert(hub: Hub, audience: str, kind: AlertKind, /, **payload: Any) -> Alert:
    """An alert for ``audience``; positional-only so that payload keys may be any names."""
    return Alert(audience, kind, hub.now(), payload)


def raise_alerts(hub: Hub, alerts: Sequence[Alert]) -> list[Alert]:
    """Store the alerts (inside the caller's transaction when there is one)."""
    if not alerts:
        return []
    stored = hub.store.add_alerts(alerts)
    hub.last_alert_id = max(a.id for a in stored)
    return stored


def alerts_for(hub: Hub, actor: Credential, after_id: int = 0, limit: int = 1000) -> list[Alert]:
    """The caller's party's alerts after ``after_id``, oldest first."""
    return hub.store.alerts_after(actor.party, after_id, limit)
