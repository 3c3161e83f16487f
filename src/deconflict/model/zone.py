"""Agreed deconfliction zones (with an owner) and lines (with a party on each side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from deconflict.model.shape import Shape

__all__ = ["Side", "Zone", "ZoneKind", "ZoneVersion"]


class ZoneKind(StrEnum):
    ZONE = "zone"
    LINE = "line"


class Side(StrEnum):
    """Left or right of a line's direction of travel (first vertex to last)."""

    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone (``owner`` set) or a line (``sides`` set); in effect once every signatory signed."""

    id: str
    kind: ZoneKind
    shape: Shape
    signatories: tuple[str, ...] = ()
    owner: str | None = None
    sides: tuple[tuple[Side, str], ...] = ()
    name: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        if self.kind is ZoneKind.ZONE and self.owner is None:
            raise ValueError("a zone needs an owner")
        if self.kind is ZoneKind.LINE:
            if self.shape.kind != "LineString":
                raise ValueError("a line's geometry must be a LineString")
            if not self.sides:
                raise ValueError("a line needs sides")

    def side_party(self, side: Side) -> str | None:
        return dict(self.sides).get(side)


@dataclass(frozen=True, slots=True)
class ZoneVersion:
    """A proposed version of a zone or line; it takes effect once every signatory has signed."""

    zone: Zone
    proposer: str
    proposed: datetime
    signatures: tuple[tuple[str, datetime], ...] = ()

    @property
    def signed_by(self) -> frozenset[str]:
        return frozenset(party for party, _ in self.signatures)

    @property
    def awaiting(self) -> frozenset[str]:
        return frozenset(self.zone.signatories) - self.signed_by

    @property
    def effective(self) -> datetime | None:
        """When the last signature needed was given; ``None`` while any is missing."""
        if self.awaiting:
            return None
        needed = set(self.zone.signatories)
        times = [t for party, t in self.signatures if party in needed]
        return max(times, default=self.proposed)

    def signed(self, party: str, moment: datetime) -> ZoneVersion:
        if party in self.signed_by:
            return self
        return ZoneVersion(self.zone, self.proposer, self.proposed,
                           (*self.signatures, (party, moment)))
