"""Who may call the hub: bearer tokens, each acting for one party in one role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Credential", "Role"]


class Role(StrEnum):
    """``viewer`` reads; ``liaison`` acts for its party; ``admin`` manages parties and tokens."""

    VIEWER = "viewer"
    LIAISON = "liaison"
    ADMIN = "admin"

    def may_act(self) -> bool:
        return self is not Role.VIEWER


@dataclass(frozen=True, slots=True)
class Credential:
    """A token's identity (never its secret: only a hash of that is stored)."""

    id: str
    party: str
    role: Role
    name: str
    created: datetime
    revoked: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.revoked is None or moment < self.revoked
