"""The shared picture as a party sees it, now or at a past moment of the hub's record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from deconflict.engine.disclosure import Picture, picture_for
from deconflict.errors import ValidationError
from deconflict.model import Credential
from deconflict.service.hub import Hub

__all__ = ["picture_at"]


def picture_at(hub: Hub, actor: Credential, at: datetime | None = None) -> Picture:
    """What ``actor``'s party may see now, or at ``at`` from the position history.

    A past picture applies the release rules in force *now*: an owner who has since withdrawn a
    release has withdrawn it for the past too, so replaying never shows more than the live view.
    """
    with hub.lock:
        current = hub.scenario()
        if at is None:
            return picture_for(current, actor.party)
        if at > current.time:
            raise ValidationError("at is after the hub's current time", field="at")
        past = hub.store.scenario(at=at, tail=1)
        return picture_for(replace(current, time=at, units=past.units), actor.party)
